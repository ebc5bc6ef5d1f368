"""OpenAPI: the headers of conditional requests and idempotent retries, documented once.

One postprocessing hook walks the API's endpoints, asks each view whether it takes part (api.conditional's
`ConditionalRequestMixin` on a detail route, api.idempotency's `IdempotencyMixin` on a POST),
and adds to the operation the request headers, the response headers and the 304/409/412/422
answers, so that no view declares them itself.
"""

from .conditional import ConditionalRequestMixin
from .idempotency import HEADER, REPLAYED_HEADER, IdempotencyMixin

STRING = {"type": "string"}

IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": STRING,
    "description": "ETag(s) the client holds (or `*`); when one matches the current one: 304, no body.",
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": STRING,
    "description": "Write only if the object's current ETag is this one (strong comparison; `*` or a list "
    "of tags allowed); otherwise 412 `precondition_failed` and nothing is written.",
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "1–255 printable ASCII characters. The first answer is kept 24 hours per (caller, key): "
    "a repeat with the same body gets it again (`Idempotent-Replayed: true`) and writes nothing.",
}
ETAG = {"description": "Strong tag of the object's representation", "schema": STRING}
REPLAYED = {
    "description": "`true` when this is the stored answer of an earlier request with the same key",
    "schema": {"type": "string", "example": "true"},
}


# The contract's error shape (drf-standardized-errors'), for the statuses only this hook documents.
HOOK_ERRORS = {
    "412": ["precondition_failed"],
    "409Idempotency": ["idempotency_in_progress"],
    "422": ["idempotency_key_reused"],
}


def _error_components(schemas):
    for name, codes in HOOK_ERRORS.items():
        schemas[f"Error{name}ErrorComponent"] = {
            "type": "object",
            "properties": {
                "code": {"type": "string", "enum": codes},
                "detail": {"type": "string"},
                "attr": {"type": "string", "nullable": True},
            },
            "required": ["code", "detail", "attr"],
        }
        schemas[f"ErrorResponse{name}"] = {
            "type": "object",
            "properties": {
                "type": {"$ref": "#/components/schemas/ClientErrorEnum"},
                "errors": {"type": "array", "items": {"$ref": f"#/components/schemas/Error{name}ErrorComponent"}},
            },
            "required": ["type", "errors"],
        }


def _error(description, name):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/ErrorResponse{name}"}}},
    }


def _add_parameter(operation, parameter):
    parameters = operation.setdefault("parameters", [])
    if not any(p.get("in") == "header" and p.get("name") == parameter["name"] for p in parameters):
        parameters.append(parameter)


def _add_response_header(operation, name, header, *, codes=None):
    for code, response in operation.get("responses", {}).items():
        if code.startswith("2") and code != "204" and (codes is None or code in codes):
            response.setdefault("headers", {}).setdefault(name, header)


def document_concurrency_headers(result, generator, request, public):
    paths = result.get("paths", {})
    _error_components(result.setdefault("components", {}).setdefault("schemas", {}))
    for path, _regex, method, callback in generator.endpoints:
        view = generator.create_view(callback, method)
        operation = paths.get(generator.coerce_path(path, method, view), {}).get(method.lower())
        if operation is None:
            continue
        responses = operation.setdefault("responses", {})
        if isinstance(view, ConditionalRequestMixin):
            detail = view.is_conditional_resource()
            if detail and method in ("GET", "HEAD"):
                _add_parameter(operation, IF_NONE_MATCH)
                _add_response_header(operation, "ETag", ETAG)
                responses.setdefault("304", {"description": "Not modified: the ETag given in If-None-Match is current"})
            elif detail:
                _add_parameter(operation, IF_MATCH)
                _add_response_header(operation, "ETag", ETAG)
                responses.setdefault(
                    "412", _error("`precondition_failed`: If-Match does not match the current ETag", "412")
                )
            elif method == "POST" and getattr(view, "action", None) == "create":
                _add_response_header(operation, "ETag", ETAG, codes={"201"})
        if method == "POST" and isinstance(view, IdempotencyMixin):
            _add_parameter(operation, IDEMPOTENCY_KEY)
            _add_response_header(operation, REPLAYED_HEADER, REPLAYED)
            # An operation with conflicts of its own keeps their 409 body; the in-progress answer
            # has the same shape (type, errors[code, detail, attr]).
            responses.setdefault("409", _error("State conflict", "409Idempotency"))
            responses["409"]["description"] += "; `idempotency_in_progress`: the first request with this key still runs"
            responses.setdefault(
                "422", _error("`idempotency_key_reused`: this Idempotency-Key came with another request", "422")
            )
    return result
