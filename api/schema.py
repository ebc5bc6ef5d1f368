"""The OpenAPI schema: one document for every language, a summary on every operation, named
enums everywhere, response fields `required` whenever they are always present, and each write's
request body from the serializer that validates it.

- `SchemaGenerator` renders the schema in English whatever the request's (or the command's)
  language, so that `/api/schema/` and `manage.py spectacular` give one byte-identical document:
  clients are generated from it, and names or descriptions that changed with `Accept-Language`
  changed every generated type.
- `AutoSchema` builds on drf-standardized-errors' AutoSchema (which documents each operation's
  error statuses and codes) and adds a summary derived once from the action and the model's
  verbose name; views give an explicit `extend_schema(summary=...)` only where that says nothing.
- `AutoSchema` documents a write's request body from its input serializer (api.viewsets.ModelViewSet's
  `create_serializer_class` / `update_serializer_class`) and its response from `serializer_class`.
- `ref_parameter_enums` makes query parameters refer to the same enum components as the fields.
- `add_error_responses` documents the errors of the project's current handler (`{"detail": ...}`)
  as long as drf-standardized-errors' handler is not the one in use; once it is, the library's
  AutoSchema documents the standardized error responses and this hook stands aside.
"""

from collections.abc import MutableMapping

from django.utils import translation
from drf_spectacular.drainage import warn
from drf_spectacular.generators import SchemaGenerator as BaseSchemaGenerator
from drf_spectacular.plumbing import get_doc
from drf_standardized_errors.handler import exception_handler as standardized_errors_handler
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from inflection import camelize
from rest_framework import serializers
from rest_framework.settings import api_settings

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
                for key in ("type", "enum", "title", "minLength", "maxLength", "x-spec-enum-id"):
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


# --- Errors of the project's current handler (see the module docstring) ----------------------

ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "An error: a message for people, and members some conflicts add.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "additionalProperties": True,
    },
    "FieldErrors": {
        "type": "object",
        "description": "Field errors: {field: [messages]} or {non_field_errors: [messages]} (nested for lists).",
        "additionalProperties": True,
    },
}

DESCRIPTIONS = {
    "400": "Validation error or invalid filter value",
    "401": "Missing, invalid or expired token",
    "403": "The role may not do this",
    "404": "Unknown id, an object outside the caller's scope, or a page past the end",
    "405": "Method not allowed",
    "406": "The Accept header asks for something other than JSON",
    "409": "State conflict (double booking, illegal transition, protected delete)",
    "413": "Request body too large",
    "429": "Too many requests",
    "503": "A database statement ran past its time limit (DB_STATEMENT_TIMEOUT_MS); retry later",
}


def _response(code):
    schema = "FieldErrors" if code == "400" else "Error"
    return {
        "description": DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def uses_standardized_errors():
    return api_settings.EXCEPTION_HANDLER is standardized_errors_handler


def add_error_responses(result, generator, request, public):
    if uses_standardized_errors():
        return result
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    result["components"]["schemas"] = dict(sorted(result["components"]["schemas"].items()))
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = {"406"}
            if not path.startswith("/api/v1/"):
                _add_responses(operation, codes)
                continue
            codes |= {"400", "429", "503"}
            if operation.get("security"):
                codes |= {"401", "403"}
            elif path.startswith("/api/v1/auth/"):
                codes.add("401")  # bad credentials or a dead refresh token
            if "{" in path or method == "get":
                codes.add("404")  # unknown or out-of-scope id; on lists, a page past the end
            if method in {"post", "put", "patch"}:
                codes |= {"409", "413"}
            if method == "delete":
                codes.add("409")
            _add_responses(operation, codes)
    return result


def _add_responses(operation, codes):
    responses = operation.setdefault("responses", {})
    for code in sorted(codes):
        responses.setdefault(code, _response(code))
    operation["responses"] = dict(sorted(responses.items()))
