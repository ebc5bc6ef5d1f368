from .views import UsuarioViewSet, VeterinarioViewSet


def register_routes(router):
    router.register("usuarios", UsuarioViewSet, basename="usuario")
    router.register("veterinarios", VeterinarioViewSet, basename="veterinario")
