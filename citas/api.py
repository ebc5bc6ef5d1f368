from .views import BloqueoViewSet, CitaViewSet, HorarioViewSet


def register_routes(router):
    router.register("citas", CitaViewSet, basename="cita")
    router.register("horarios", HorarioViewSet, basename="horario")
    router.register("bloqueos", BloqueoViewSet, basename="bloqueo")
