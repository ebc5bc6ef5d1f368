from .views import EventoViewSet, IntegracionViewSet, WebhookViewSet


def register_routes(router):
    router.register("eventos", EventoViewSet, basename="evento")
    router.register("webhooks", WebhookViewSet, basename="webhook")
    router.register("integraciones", IntegracionViewSet, basename="integracion")
