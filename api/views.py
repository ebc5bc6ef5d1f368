import json
import logging

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DatabaseError
from django.views import defaults
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularRedocView
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.response import Response

from .exceptions import BadRequest, ServerError, error_response

logger = logging.getLogger(__name__)

HEALTH_STATUSES = ["ok", "degraded", "error"]

HealthSerializer = inline_serializer(
    "Health",
    {
        "status": serializers.ChoiceField(choices=HEALTH_STATUSES),
        "database": serializers.CharField(help_text="`ok` or `error`"),
        "cache": serializers.CharField(help_text="`ok` or `error`"),
    },
)


def _database_ok():
    """A real read of an application table, so that a role without privileges on the
    project's tables (or a database without its migrations) is reported, not just a socket."""
    try:
        get_user_model().objects.order_by().values_list("pk", flat=True).first()
    except DatabaseError:
        logger.warning("health: database check failed", exc_info=True)
        return False
    return True


def _cache_ok():
    """A read of the shared cache (throttle counters live there): a round trip to Redis, and
    no write per probe, which on the database cache would be a write per health check."""
    try:
        cache.get("health:probe")
        return True
    except Exception:  # any backend's failure (Redis down, table missing) is the answer
        logger.warning("health: cache check failed", exc_info=True)
        return False


@extend_schema(
    summary="Health check",
    tags=["health"],
    responses={
        200: OpenApiResponse(HealthSerializer, description="Database reachable (`degraded`: the cache is not)"),
        503: OpenApiResponse(HealthSerializer, description="Database unreachable"),
    },
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def health(request):
    """Liveness, database and cache, for load balancers and monitors.

    The API keeps answering without its cache (throttles fail open), so a cache failure is
    `degraded` with 200; without the database nothing works: 503."""
    database = "ok" if _database_ok() else "error"
    cache_state = "ok" if _cache_ok() else "error"
    if database == "error":
        body_status, code = "error", status.HTTP_503_SERVICE_UNAVAILABLE
    else:
        body_status, code = ("ok" if cache_state == "ok" else "degraded"), status.HTTP_200_OK
    return Response({"status": body_status, "database": database, "cache": cache_state}, status=code)


def _wants_json(request):
    return request.path.startswith(("/api/", "/health/"))


def not_found(request, exception=None):
    """404 for unknown URLs (and ids the router's pattern refuses, such as `4.2e-30`): under
    /api/ the API's error shape, `not_found`; the usual page elsewhere."""
    if _wants_json(request):
        return error_response(exceptions.NotFound())
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500 without any detail of the failure (that goes to the logs, with the request id)."""
    if _wants_json(request):
        return error_response(ServerError())
    return defaults.server_error(request)


def bad_request(request, exception=None):
    if _wants_json(request):
        return error_response(BadRequest())
    return defaults.bad_request(request, exception)


class RedocView(SpectacularRedocView):
    """ReDoc with no outside font and no inline script: the page is a `<redoc>` element whose
    attributes carry REDOC_UI_SETTINGS (drf-spectacular's page links Google Fonts and passes
    them in an inline script, which the Content-Security-Policy refuses; ReDoc reads `theme` from
    its attribute as JSON)."""

    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        options = {}
        for name, value in spectacular_settings.REDOC_UI_SETTINGS.items():
            attribute = "".join(f"-{c.lower()}" if c.isupper() else c for c in name)
            options[attribute] = json.dumps(value) if isinstance(value, dict | list) else str(value).lower()
        response.data["options"] = options
        return response
