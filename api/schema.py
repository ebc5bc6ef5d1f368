"""OpenAPI: every operation documents the error answers it can give, with their codes.

drf-standardized-errors' AutoSchema documents, per operation, the statuses DRF itself can
answer (400 with the codes of each field, 401, 403, 404, 405, 406, 415, 429, 500). This
subclass adds the project's own: 409 with the conflict codes the operation's service may
raise (declared on the viewset as `conflict_codes = {action: [code, ...]}`), 413 (a body over
MAX_REQUEST_BODY_BYTES, refused by api.middleware before any view), 503 (a statement past
DB_STATEMENT_TIMEOUT_MS) and the 400 the request guard answers to any request.
"""

from django.db import models
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ServerErrorEnum
from drf_standardized_errors.openapi_utils import (
    get_flat_serializer_fields,
    get_serializer_fields_with_error_codes,
    get_validation_error_serializer,
)
from inflection import camelize
from rest_framework import serializers
from rest_framework_simplejwt.views import TokenViewBase

# 400 errors that are about the request as a whole (attr null): a body that is not JSON, or a
# request the guard of api.middleware refuses (bad Content-Length, NUL in the query string).
REQUEST_ERROR_CODES = {"parse_error", "bad_request"}


class ErrorCode401Enum(models.TextChoices):
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    NO_ACTIVE_ACCOUNT = "no_active_account"
    TOKEN_NOT_VALID = "token_not_valid"
    USER_INACTIVE = "user_inactive"


class ErrorCode413Enum(models.TextChoices):
    REQUEST_TOO_LARGE = "request_too_large"


class ErrorCode503Enum(models.TextChoices):
    STATEMENT_TIMEOUT = "statement_timeout"


def _error_serializers(name, code_enum, type_enum):
    error = type(
        f"Error{name}Serializer",
        (serializers.Serializer,),
        {
            "code": serializers.ChoiceField(choices=code_enum.choices),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
    )
    response = type(
        f"ErrorResponse{name}Serializer",
        (serializers.Serializer,),
        {"type": serializers.ChoiceField(choices=type_enum.choices), "errors": error(many=True)},
    )
    return response


ErrorResponse401Serializer = _error_serializers("401", ErrorCode401Enum, ClientErrorEnum)
ErrorResponse413Serializer = _error_serializers("413", ErrorCode413Enum, ClientErrorEnum)
ErrorResponse503Serializer = _error_serializers("503", ErrorCode503Enum, ServerErrorEnum)


def conflict_response_serializer(operation_id, codes):
    """The 409 body of one operation: its conflict codes, and `citas` (ids) where a code carries them."""
    component = camelize(operation_id)
    error = type(
        "Error409Serializer",
        (serializers.Serializer,),
        {
            "code": serializers.ChoiceField(choices=[(code, code) for code in sorted(codes)]),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
            # the library's enum hook leaves components with this suffix alone: these choices
            # are the operation's own
            "Meta": type("Meta", (), {"ref_name": f"{component}Error409ErrorComponent"}),
        },
    )
    fields = {
        "type": serializers.ChoiceField(choices=ClientErrorEnum.choices),
        "errors": error(many=True),
        "Meta": type("Meta", (), {"ref_name": f"{component}ErrorResponse409"}),
    }
    if codes & CODES_WITH_CITAS:
        fields["citas"] = serializers.ListField(
            child=serializers.IntegerField(), required=False, help_text="Ids de las citas en conflicto."
        )
    return type("ErrorResponse409Serializer", (serializers.Serializer,), fields)


def _is_serializer(value):
    return isinstance(value, serializers.Serializer) or (
        isinstance(value, type) and issubclass(value, serializers.Serializer)
    )


# Conflicts that list the citas they are about next to `errors`.
CODES_WITH_CITAS = {"bloqueo_con_citas", "tiene_citas_futuras"}


class AutoSchema(StandardizedErrorsAutoSchema):
    """The project's schema class (DEFAULT_SCHEMA_CLASS): drf-standardized-errors' error
    responses, with the project's statuses and codes."""

    def _conflict_codes(self):
        declared = getattr(self.view, "conflict_codes", None) or {}
        action = getattr(self.view, "action", None)
        return set(declared.get(action, ()))

    def _should_add_error_response(self, responses, status_code):
        if status_code in responses:
            return False
        if status_code == "400":
            # the request guard (api.middleware) may refuse any request
            return True
        if status_code == "409":
            return bool(self._conflict_codes())
        if status_code == "413":
            return self.method in ("POST", "PUT", "PATCH")
        if status_code == "503":
            return True
        if status_code == "401" and isinstance(self.view, TokenViewBase):
            # the login and refresh views take no authentication, but refuse bad credentials
            return True
        return super()._should_add_error_response(responses, status_code)

    def _get_error_response_serializer(self, status_code):
        if status_code == "409":
            return conflict_response_serializer(self.get_operation_id(), self._conflict_codes())
        return super()._get_error_response_serializer(status_code)

    def _determine_fields_with_error_codes(self):
        """The library's (request body, or django-filter's form), plus the fields of a query
        serializer declared with `extend_schema(parameters=[...])`."""
        fields = super()._determine_fields_with_error_codes()
        if self.method not in ("PUT", "PATCH", "POST"):
            for parameter in self.get_override_parameters():
                if _is_serializer(parameter):
                    fields.extend(get_serializer_fields_with_error_codes(get_flat_serializer_fields(parameter)))
        return fields

    def _get_validation_error_codes_by_field(self, data_fields):
        """Plus the codes of the query parameters the view's filter backends check themselves
        (`validation_error_codes` on a backend: {parameter: codes}), e.g. `?search=`."""
        codes_by_field = super()._get_validation_error_codes_by_field(data_fields)
        if self.method == "GET":
            for backend in self.get_filter_backends():
                declared = getattr(backend, "validation_error_codes", None)
                applies = getattr(backend, "applies_to", None)
                if declared and (applies is None or applies(self.view)):
                    for parameter, codes in declared.items():
                        codes_by_field[parameter].update(codes)
        return codes_by_field

    def _get_http400_serializer(self):
        """Every 400 is a `validation_error` (contract): field errors, plus the request-level
        ones with attr null."""
        codes_by_field = dict(self._get_validation_error_codes_by_field(self._determine_fields_with_error_codes()))
        codes_by_field[None] = set(codes_by_field.get(None, set())) | REQUEST_ERROR_CODES
        return get_validation_error_serializer(self.get_operation_id(), codes_by_field)
