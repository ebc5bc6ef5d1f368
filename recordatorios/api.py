from .views import RecordatorioViewSet


def register_routes(router):
    router.register("recordatorios", RecordatorioViewSet, basename="recordatorio")
