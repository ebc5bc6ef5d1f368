"""The benchmark's URLconf (vetclinic.settings.bench): the project's URLs plus the floor and
peer views of bench.views under /bench/."""

from django.urls import include, path

from vetclinic.urls import handler400, handler404, handler500  # noqa: F401  (this URLconf's error pages)
from vetclinic.urls import urlpatterns as project_urlpatterns

from . import views

reference_views = [
    path("floor/pacientes/", views.pacientes_floor),
    path("floor/pacientes/<int:pk>/historial/", views.historial_floor),
    path("floor/citas/", views.citas_floor),
    path("floor/citas/disponibilidad/", views.disponibilidad_floor),
    path("peer/pacientes/", views.PeerPacienteList.as_view()),
    path("peer/pacientes/<int:pk>/historial/", views.PeerHistorial.as_view()),
    path("peer/citas/", views.PeerCitaList.as_view()),
    path("peer/citas/disponibilidad/", views.PeerDisponibilidad.as_view()),
]

urlpatterns = [*project_urlpatterns, path("bench/", include(reference_views))]
