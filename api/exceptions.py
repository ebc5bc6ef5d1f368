"""The one place that maps domain errors, Django's and the database's to HTTP answers.

Every error answer of the API has one shape (contract, "Errors"), produced by
drf-standardized-errors:

    {"type": "validation_error" | "client_error" | "server_error",
     "errors": [{"code": "...", "detail": "...", "attr": "campo" | null}]}

`ExceptionHandler` turns the project's framework-neutral errors (core.exceptions.Conflict,
Django's ValidationError raised by services and models, a cancelled statement, a deadlock
left over by the retries) into DRF exceptions that carry a stable `code`, and the library
formats them. `ExceptionFormatter` adds a conflict's `extra` (e.g. `"citas": [ids]`) next to
`errors`. Answers given outside DRF's views (unknown paths, the request guards of
api.middleware, Django's 400/500 views) use `error_response()`, so they have the same shape.
"""

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.formatter import ExceptionFormatter as BaseExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler as BaseExceptionHandler
from drf_standardized_errors.settings import package_settings
from drf_standardized_errors.types import VALIDATION_ERROR
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework_simplejwt.exceptions import DetailDictMixin

from core.exceptions import (
    CONFLICTO_INTEGRIDAD,
    STATEMENT_TIMEOUT_MESSAGE,
    TIENE_REGISTROS_RELACIONADOS,
    Conflict,
    is_statement_timeout,
)

STATEMENT_TIMEOUT_RETRY_AFTER = 5


class ConflictError(exceptions.APIException):
    """A domain Conflict as a 409; its `extra` is merged into the body next to `errors`."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = Conflict.default_message
    default_code = Conflict.default_code

    def __init__(self, detail=None, code=None, *, extra=None):
        super().__init__(detail, code)
        self.extra = extra or {}


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("El cuerpo de la petición es demasiado grande.")
    default_code = "request_too_large"


class BadRequest(exceptions.APIException):
    """A request Django itself refuses (a bad header, a hostile query string): 400 `bad_request`."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Petición incorrecta.")
    default_code = "bad_request"


class ServerError(exceptions.APIException):
    """Whatever went wrong, the answer says only this (the failure goes to the logs)."""

    default_detail = _("Error interno del servidor.")
    default_code = "error"


class StatementTimeout(exceptions.APIException):
    """A database statement ran past DB_STATEMENT_TIMEOUT_MS and PostgreSQL cancelled it (503):
    the worker answers instead of hanging, and the caller may retry."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = STATEMENT_TIMEOUT_MESSAGE
    default_code = "statement_timeout"
    wait = STATEMENT_TIMEOUT_RETRY_AFTER  # Retry-After, as for a throttled request


def _validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    errors = as_serializer_error(exc)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return exceptions.ValidationError(errors)


# The 401 codes the contract fixes; simplejwt's others are told as the nearest of them.
AUTHENTICATION_CODES = {
    "not_authenticated",
    "authentication_failed",
    "no_active_account",
    "token_not_valid",
    "user_inactive",
}
TOKEN_CODE_ALIASES = {
    "user_not_found": "token_not_valid",  # a token of a user that no longer exists
    "password_changed": "token_not_valid",  # a token issued before a password change
    "bad_authorization_header": "authentication_failed",
}


def _flat_token_error(exc):
    """simplejwt's token errors carry a dict (`detail`, `code`, `messages` listing every token
    class tried); the answer is one error, like any other 401: the code, and the reason the
    token was refused ("Token is expired") rather than the generic detail when it is given."""
    detail = exc.detail
    code = str(detail.get("code", exc.default_code))
    code = code if code in AUTHENTICATION_CODES else TOKEN_CODE_ALIASES.get(code, "authentication_failed")
    reasons = [m.get("message") for m in detail.get("messages", []) if isinstance(m, dict) and m.get("message")]
    message = reasons[0] if reasons else detail.get("detail", exc.default_detail)
    flat = exceptions.AuthenticationFailed(str(message), code=code)
    flat.status_code = exc.status_code  # DRF sets 403 when the view has no authenticate header
    flat.auth_header = getattr(exc, "auth_header", None)
    return flat


class ExceptionHandler(BaseExceptionHandler):
    """drf-standardized-errors' handler, converting the project's own errors first."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DjangoValidationError):
            return _validation_error(exc)
        if isinstance(exc, Conflict):
            return ConflictError(exc.message, exc.code, extra=exc.extra)
        if isinstance(exc, (ProtectedError, RestrictedError)):
            return ConflictError(_("No se puede eliminar: tiene registros relacionados."), TIENE_REGISTROS_RELACIONADOS)
        if is_statement_timeout(exc):
            return StatementTimeout()
        if isinstance(exc, IntegrityError):
            # Services translate the constraints they know; this is the safety net.
            return ConflictError(
                _("La operación viola una restricción de integridad de los datos."), CONFLICTO_INTEGRIDAD
            )
        if isinstance(exc, DetailDictMixin) and isinstance(exc.detail, dict):
            return _flat_token_error(exc)
        if isinstance(exc, RequestDataTooBig):
            return RequestTooLarge()
        if isinstance(exc, SuspiciousOperation):
            return BadRequest()
        if isinstance(exc, DjangoPermissionDenied):
            # Django's, raised by a service with a reason (e.g. a vet's bloqueos are their own).
            return exceptions.PermissionDenied(*exc.args)
        return super().convert_known_exceptions(exc)

    def report_exception(self, exc, response):
        """A cancelled statement is an answer (503, retry), not a crash: Django logs it as any
        5xx, without the got_request_exception signal that error trackers treat as a bug."""
        if isinstance(exc, StatementTimeout):
            return
        super().report_exception(exc, response)

    def convert_unhandled_exceptions(self, exc: Exception) -> exceptions.APIException:
        if not isinstance(exc, exceptions.APIException):
            return ServerError()
        return exc


class ExceptionFormatter(BaseExceptionFormatter):
    """The library's shape, plus a conflict's `extra` members next to `errors`; every 400 is a
    `validation_error` (the contract's rule), a body that is not JSON included."""

    def get_error_type(self):
        if self.exc.status_code == status.HTTP_400_BAD_REQUEST:
            return VALIDATION_ERROR
        return super().get_error_type()

    def format_error_response(self, error_response):
        data = super().format_error_response(error_response)
        extra = getattr(self.exc, "extra", None) or {}
        return {**data, **{name: value for name, value in extra.items() if name not in data}}


def error_body(exc: exceptions.APIException) -> dict:
    """The body of the error answer for `exc`, formatted by the configured formatter."""
    formatter = package_settings.EXCEPTION_FORMATTER_CLASS
    context = {"view": None, "args": (), "kwargs": {}, "request": None}
    return formatter(exc, context, exc).run()


def error_response(exc: exceptions.APIException) -> JsonResponse:
    """A plain Django answer (no DRF view involved) with the API's error shape."""
    response = JsonResponse(error_body(exc), status=exc.status_code)
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response
