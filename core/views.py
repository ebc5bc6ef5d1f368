from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.response import Response

HealthSerializer = inline_serializer("Health", {"status": serializers.CharField(), "database": serializers.CharField()})


@extend_schema(
    tags=["health"],
    responses={200: HealthSerializer, 503: OpenApiResponse(HealthSerializer, description="Database unreachable")},
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def health(request):
    """Liveness and database reachability, for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Response({"status": "error", "database": "error"}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    return Response({"status": "ok", "database": "ok"})


def _wants_json(request):
    return request.path.startswith(("/api/", "/health/"))


def not_found(request, exception=None):
    """404 for unknown URLs: JSON under /api/ (the API's error shape), the usual page elsewhere."""
    if _wants_json(request):
        return JsonResponse({"detail": _("No encontrado.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500 without any detail of the failure (that goes to the logs, with the request id)."""
    if _wants_json(request):
        return JsonResponse({"detail": _("Error interno del servidor.")}, status=500)
    return defaults.server_error(request)


def bad_request(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": _("Petición incorrecta.")}, status=400)
    return defaults.bad_request(request, exception)
