"""The project's URLs with the benchmark's views mounted, as BENCH_VIEWS=1 would."""

from django.urls import include, path

from vetclinic.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("bench/", include("bench.urls"))]
