from .views import SedeViewSet


def register_routes(router):
    router.register("sedes", SedeViewSet, basename="sede")
