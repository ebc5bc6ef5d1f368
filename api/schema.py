"""The OpenAPI schema: one document for every language, a summary on every operation, named
enums everywhere, response fields `required` whenever they are always present, each write's
request body from the serializer that validates it, and every operation's error answers with
their codes.

- `SchemaGenerator` renders the schema in English whatever the request's (or the command's)
  language, so that `/api/schema/` and `manage.py spectacular` give one byte-identical document:
  clients are generated from it, and names or descriptions that changed with `Accept-Language`
  changed every generated type.
- `AutoSchema` builds on drf-standardized-errors' AutoSchema, which documents per operation the
  statuses DRF itself can answer (400 with the codes of each field, 401, 403, 404, 405, 406,
  415, 429, 500). It adds:
  - a summary derived once from the action and the model's verbose name; views give an explicit
    `extend_schema(summary=...)` only where that says nothing;
  - a write's request body from its input serializer (api.viewsets.ModelViewSet's
    `create_serializer_class` / `update_serializer_class`), its response from `serializer_class`;
  - the project's own errors: 409 with the conflict codes the operation's service may raise
    (declared on the viewset as `conflict_codes = {action: [code, ...]}`), 413 (a body over
    MAX_REQUEST_BODY_BYTES, refused by api.middleware before any view), 503 (a statement past
    DB_STATEMENT_TIMEOUT_MS) and the 400 the request guard answers to any request.
- `ref_parameter_enums` makes query parameters refer to the same enum components as the fields.
"""

import re
from collections.abc import MutableMapping

from django.db import models
from django.utils import translation
from drf_spectacular.drainage import warn
from drf_spectacular.generators import SchemaGenerator as BaseSchemaGenerator
from drf_spectacular.plumbing import get_doc
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

SCHEMA_LANGUAGE = "en"


class SchemaGenerator(BaseSchemaGenerator):
    """drf-spectacular's generator, always in English: the schema is language-independent."""

    def get_schema(self, request=None, public=False):
        with translation.override(SCHEMA_LANGUAGE):
            return super().get_schema(request=request, public=public)


# Summaries of the standard actions, from the model's verbose names (English while generating).
ACTION_SUMMARIES = {
    "list": "List {plural}",
    "create": "Create {one}",
    "retrieve": "Retrieve {one}",
    "update": "Replace {one}",
    "partial_update": "Update {one} partially",
    "destroy": "Delete {one}",
}


def _with_article(name, plural):
    if name == plural:  # uncountable: "opening hours", "time off"
        return name
    return f"{'an' if name[:1] in 'aeio' else 'a'} {name}"


# 400 errors that are about the request as a whole (attr null): a body that is not JSON, or a
# request the guard of api.middleware refuses (bad Content-Length, NUL in the query string).
REQUEST_ERROR_CODES = {"parse_error", "bad_request"}

# What a list's own parameters may answer (api.pagination, api.filters); the strict-parameter
# check's `unknown_parameter` is request-level (its attr is whatever name was sent).
LIST_PARAMETER_CODES = {
    "page_size": {"invalid", "min_value", "max_value"},
    "paginacion": {"invalid_choice"},
    "ordering": {"invalid_ordering"},
    "actualizado_desde": {"invalid", "fecha_fuera_de_rango"},
}


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
    def get_request_serializer(self):
        get_input_serializer_class = getattr(self.view, "get_input_serializer_class", None)
        if get_input_serializer_class is not None and self.view.action in {"create", "update", "partial_update"}:
            return get_input_serializer_class()()
        return super().get_request_serializer()

    def get_summary(self):
        summary = super().get_summary()
        if summary:
            return summary
        action = getattr(self.view, "action", None)
        model = self._model()
        if action in ACTION_SUMMARIES and model is not None:
            name, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
            return ACTION_SUMMARIES[action].format(plural=plural, one=_with_article(name, plural))
        # A custom action or a plain view: the first line of its docstring.
        handler = getattr(self.view, action or self.method.lower(), None)
        first_line = get_doc(handler).split("\n", 1)[0].strip() if handler else ""
        if first_line:
            return first_line.rstrip(".")
        warn(f"no summary for {self.method} {self.path}: add extend_schema(summary=...) or a docstring")
        return None

    def _model(self):
        serializer_class = getattr(self.view, "serializer_class", None)
        if serializer_class is None:
            try:
                serializer_class = self.view.get_serializer_class()
            except (AssertionError, AttributeError):
                return None
        return getattr(getattr(serializer_class, "Meta", None), "model", None)

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        # A component's description is what its serializer says of itself, never a docstring
        # inherited from a base class (api.serializers.ModelSerializer's is about its internals).
        own_doc = type(serializer).__dict__.get("__doc__")
        if own_doc:
            schema["description"] = get_doc(type(serializer))
        else:
            schema.pop("description", None)
        if direction == "response" and isinstance(serializer, serializers.ModelSerializer):
            # A model serializer writes every readable field in every answer (null when empty):
            # a field optional on input is still always there in a response.
            properties = schema.get("properties", {})
            required = [name for name, prop in properties.items() if not prop.get("writeOnly")]
            if required:
                schema["required"] = required
        return schema

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
        from .idempotency import IdempotencyMixin

        if self.method == "POST" and isinstance(self.view, IdempotencyMixin):
            # a malformed Idempotency-Key (api.idempotency): attr is the header's name, documented
            # with the request-level errors (a component name cannot hold its dash)
            codes_by_field[None].add("idempotency_key_invalid")
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
        if self.method == "GET":
            # strict query parameters (api.query_parameters): attr is the parameter's name, any name
            codes_by_field[None].add("unknown_parameter")
            if getattr(self.view, "action", None) == "list" and getattr(self.view, "pagination_class", None):
                for parameter, codes in LIST_PARAMETER_CODES.items():
                    codes_by_field.setdefault(parameter, set()).update(codes)
        return get_validation_error_serializer(self.get_operation_id(), codes_by_field)


def _enum_values(schema):
    return frozenset(value for value in schema.get("enum", []) if value not in ("", None))


def ref_parameter_enums(result, generator, request, public):
    """Point every query parameter's inline enum at the component holding the same choice set
    (`EstadoCitaEnum`, `EspecieEnum`...), creating the component when no field uses it."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    by_values = {
        _enum_values(schema): name
        for name, schema in schemas.items()
        if name.endswith("Enum") and "enum" in schema
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, MutableMapping):
                continue
            for parameter in operation.get("parameters", []):
                holder = parameter.get("schema", {})
                if holder.get("type") == "array":
                    holder = holder.get("items", {})
                if "enum" not in holder:
                    continue
                values = _enum_values(holder)
                name = by_values.get(values)
                if name is None:
                    name = f"{camelize(parameter['name'])}Enum"
                    if name in schemas:
                        warn(f"enum of parameter {parameter['name']!r} clashes with component {name}")
                        continue
                    schemas[name] = {key: holder[key] for key in ("type", "enum", "description") if key in holder}
                    by_values[values] = name
                # A $ref takes no siblings; the parameter's own description stays on the parameter.
                for key in ("type", "enum", "title", "minLength", "maxLength", "x-spec-enum-id", "default"):
                    holder.pop(key, None)
                holder["$ref"] = f"#/components/schemas/{name}"
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result


def mark_public_operations(result, generator, request, public):
    """`security: []` on the operations that take no credentials (login, refresh, logout, health),
    so that "no security" is stated rather than implied."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, MutableMapping) and "responses" in operation:
                operation.setdefault("security", [])
    return result


def type_nullable_enums(result, generator, request, public):
    """drf-standardized-errors writes the `attr` of request-level errors as an enum holding null
    (`nullable`, no `type`), which OpenAPI 3.0 does not allow and client generators refuse: it is
    a nullable string, with the enum of its other values (or none). The `oneOf` of a 400's errors
    then keeps no discriminator on `attr`: a discriminator cannot map null."""

    def visit(node):
        if isinstance(node, dict):
            if None in node.get("discriminator", {}).get("mapping", {}):
                del node["discriminator"]
            if len(node.get("oneOf", ())) == 1 and "discriminator" not in node:
                # a choice of one (an operation whose only 400 is the request-level one) is that one
                node.update(node.pop("oneOf")[0])
            if "enum" in node and None in node["enum"] and "$ref" not in node:
                values = [value for value in node["enum"] if value is not None]
                if values:
                    node["enum"] = values
                else:
                    del node["enum"]
                node["nullable"] = True
                node.setdefault("type", "string")
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(result.get("components", {}))
    return result


def indexed_error_attrs(result, generator, request, public):
    """The `attr` of errors in nested lists, as the API answers them. drf-standardized-errors
    writes an item's field as `lineas.INDEX.cantidad` (the API names the index:
    `lineas.0.cantidad`) and the errors of a list or of an item as a whole (null, not a list,
    not an object) as `lineas.non_field_errors` / `lineas.INDEX.non_field_errors` (the API puts
    them on `lineas` / `lineas.0`). Those components describe `attr` by a pattern that accepts
    both spellings.

    A pattern is not a value a linter can tell apart from the others' enums, so the choice of
    errors that holds such a component is an `anyOf` (each error still matches exactly one)."""
    suffix = ".non_field_errors"
    schemas = result.get("components", {}).get("schemas", {})
    patterned = set()
    for name, schema in schemas.items():
        attr = schema.get("properties", {}).get("attr") if isinstance(schema, dict) else None
        values = [str(value) for value in (attr.get("enum") or [])] if isinstance(attr, dict) else []
        nested = [v for v in values if ".INDEX." in v or (v.endswith(suffix) and v != suffix.lstrip("."))]
        if not nested:
            continue
        alternatives = []
        for value in values:
            alternatives.append(re.escape(value).replace("INDEX", r"\d+"))
            if value.endswith(suffix) and value != suffix.lstrip("."):
                alternatives.append(re.escape(value[: -len(suffix)]).replace("INDEX", r"\d+"))
        attr.pop("enum")
        attr["pattern"] = "^(" + "|".join(alternatives) + ")$"
        attr["description"] = "`" + "`, `".join(v.replace("INDEX", "<n>") for v in values) + "`"
        patterned.add(f"#/components/schemas/{name}")
    for schema in schemas.values():
        choices = schema.get("oneOf") if isinstance(schema, dict) else None
        if choices and any(choice.get("$ref") in patterned for choice in choices):
            schema["anyOf"] = schema.pop("oneOf")
            schema.pop("discriminator", None)
    return result
