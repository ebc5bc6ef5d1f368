from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import register_routes as accounts_routes
from api.views import RedocView, health
from citas.api import register_routes as citas_routes
from clientes.api import register_routes as clientes_routes
from facturacion.api import register_routes as facturacion_routes
from historial.api import register_routes as historial_routes
from integraciones.api import register_routes as integraciones_routes
from pacientes.api import register_routes as pacientes_routes
from recordatorios.api import register_routes as recordatorios_routes
from sedes.api import register_routes as sedes_routes

# Each app registers its own viewsets, in the order of the apps (a higher app may extend a lower
# app's routes: historial serves the paciente's historial and pesos); the router serves them all
# under /api/v1/.
router = DefaultRouter()
app_routes = (
    accounts_routes,
    sedes_routes,
    clientes_routes,
    pacientes_routes,
    citas_routes,
    historial_routes,
    facturacion_routes,
    recordatorios_routes,
    integraciones_routes,
)
for register_routes in app_routes:
    register_routes(router)

urlpatterns = [
    path("health/", health, name="health"),
    path("api/v1/auth/", include("accounts.urls")),
    path("api/v1/", include(router.urls)),
    # One document whatever the language asked for (api.schema.SchemaGenerator).
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's initialiser as a file, so the CSP may refuse inline scripts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "api.views.bad_request"
handler404 = "api.views.not_found"
handler500 = "api.views.server_error"
