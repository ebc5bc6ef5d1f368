"""The OpenAPI schema: the project's AutoSchema, and a post-processing hook documenting the
error responses every operation can give.

The AutoSchema documents a write's request body from the serializer that validates it
(api.viewsets.ModelViewSet's input serializers) and its response from `serializer_class`.

drf-spectacular documents the success responses it can infer; the contract's error
codes (400/401/403/404/409/413/429) come from shared mechanisms (validation,
authentication, role permissions, scoped querysets, services, throttles), so they
are added here in one place instead of on every view.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    def get_request_serializer(self):
        get_input_serializer_class = getattr(self.view, "get_input_serializer_class", None)
        if get_input_serializer_class is not None and self.view.action in {"create", "update", "partial_update"}:
            return get_input_serializer_class()()
        return super().get_request_serializer()


ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "additionalProperties": True,
    },
    "ValidationError": {
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
    "409": "State conflict (double booking, illegal transition, protected delete)",
    "413": "Request body too large",
    "429": "Too many requests",
    "503": "A database statement ran past its time limit (DB_STATEMENT_TIMEOUT_MS); retry later",
}


def _response(code):
    schema = "ValidationError" if code == "400" else "Error"
    return {
        "description": DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = {"400", "429", "503"}
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
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                responses.setdefault(code, _response(code))
    return result
