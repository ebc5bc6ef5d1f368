"""The one place that maps domain errors, Django's and the database's to HTTP answers."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import STATEMENT_TIMEOUT_MESSAGE, Conflict, is_statement_timeout


class ConflictError(exceptions.APIException):
    """A domain Conflict as a 409; its `extra` is merged into the body next to `detail`."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = Conflict.default_message
    default_code = Conflict.default_code

    def __init__(self, detail=None, code=None, *, extra=None):
        super().__init__(detail, code)
        self.extra = extra or {}


class StatementTimeout(exceptions.APIException):
    """A database statement ran past DB_STATEMENT_TIMEOUT_MS and PostgreSQL cancelled it (503):
    the worker answers instead of hanging, and the caller may retry."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = STATEMENT_TIMEOUT_MESSAGE
    default_code = "statement_timeout"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        errors = as_serializer_error(exc)
        if NON_FIELD_ERRORS in errors:
            errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, Conflict):
        exc = ConflictError(exc.message, exc.code, extra=exc.extra)
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = ConflictError(_("No se puede eliminar: tiene registros relacionados."))
    elif is_statement_timeout(exc):
        exc = StatementTimeout()
    elif isinstance(exc, IntegrityError):
        # Services translate the constraints they know; this is the safety net.
        exc = ConflictError(_("La operación viola una restricción de integridad de los datos."))

    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, ConflictError) and exc.extra:
        response.data.update(exc.extra)
    if response is not None and isinstance(exc, StatementTimeout):
        response["Retry-After"] = "5"
    return response
