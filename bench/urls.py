"""Floor and peer views of the benchmark (see bench.views), under /bench/ when BENCH_VIEWS is set."""

from django.urls import path

from . import views

urlpatterns = [
    path("floor/pacientes/", views.pacientes_floor),
    path("floor/pacientes/<int:pk>/historial/", views.historial_floor),
    path("floor/citas/", views.citas_floor),
    path("floor/citas/disponibilidad/", views.disponibilidad_floor),
    path("peer/pacientes/", views.PeerPacienteList.as_view()),
    path("peer/pacientes/<int:pk>/historial/", views.PeerHistorial.as_view()),
    path("peer/citas/", views.PeerCitaList.as_view()),
    path("peer/citas/disponibilidad/", views.PeerDisponibilidad.as_view()),
]
