from .views import ClienteViewSet


def register_routes(router):
    router.register("clientes", ClienteViewSet, basename="cliente")
