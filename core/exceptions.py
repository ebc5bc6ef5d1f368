"""Domain errors and the one place that maps them to HTTP responses."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    """The request is valid but clashes with the current state (409).

    `extra` is merged into the response body next to `detail`, e.g. the ids of the
    citas a bloqueo would overlap.
    """

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("La operación entra en conflicto con el estado actual.")
    default_code = "conflict"

    def __init__(self, detail=None, code=None, *, extra=None):
        super().__init__(detail, code)
        self.extra = extra or {}


class StatementTimeout(exceptions.APIException):
    """A database statement ran past DB_STATEMENT_TIMEOUT_MS and PostgreSQL cancelled it (503):
    the worker answers instead of hanging, and the caller may retry."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("La operación ha tardado demasiado y se ha cancelado; inténtelo de nuevo.")
    default_code = "statement_timeout"


# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (or a cancel request).
QUERY_CANCELED = "57014"


def is_statement_timeout(exc):
    return isinstance(exc, OperationalError) and getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        errors = as_serializer_error(exc)
        if NON_FIELD_ERRORS in errors:
            errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = Conflict(_("No se puede eliminar: tiene registros relacionados."))
    elif is_statement_timeout(exc):
        exc = StatementTimeout()
    elif isinstance(exc, IntegrityError):
        # Services translate the constraints they know; this is the safety net.
        exc = Conflict(_("La operación viola una restricción de integridad de los datos."))

    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, Conflict) and exc.extra:
        response.data.update(exc.extra)
    if response is not None and isinstance(exc, StatementTimeout):
        response["Retry-After"] = "5"
    return response
