from .views import ClientePacientesViewSet, ConsultaViewSet, PacienteViewSet, VacunaViewSet


def register_routes(router):
    router.register("pacientes", PacienteViewSet, basename="paciente")
    router.register(r"clientes/(?P<cliente_pk>\d+)/pacientes", ClientePacientesViewSet, basename="cliente-pacientes")
    router.register("consultas", ConsultaViewSet, basename="consulta")
    router.register("vacunas", VacunaViewSet, basename="vacuna")
