from pacientes.views import PacienteViewSet

from .views import ConsultaViewSet, PacienteConHistorialViewSet, VacunaViewSet


def register_routes(router):
    """Registers after pacientes: the paciente's routes are served by PacienteConHistorialViewSet,
    with the same prefix and basename (so the URLs, their names and the schema are pacientes')."""
    router.registry[:] = [
        (prefix, PacienteConHistorialViewSet if viewset is PacienteViewSet else viewset, basename)
        for prefix, viewset, basename in router.registry
    ]
    router.register("consultas", ConsultaViewSet, basename="consulta")
    router.register("vacunas", VacunaViewSet, basename="vacuna")
