from .views import MensajeViewSet, PlantillaViewSet, RecordatorioViewSet


def register_routes(router):
    router.register("recordatorios", RecordatorioViewSet, basename="recordatorio")
    router.register("plantillas", PlantillaViewSet, basename="plantilla")
    router.register("mensajes", MensajeViewSet, basename="mensaje")
