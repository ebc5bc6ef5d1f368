from .views import ClientePacientesViewSet, PacienteViewSet


def register_routes(router):
    router.register("pacientes", PacienteViewSet, basename="paciente")
    router.register(r"clientes/(?P<cliente_pk>\d+)/pacientes", ClientePacientesViewSet, basename="cliente-pacientes")
