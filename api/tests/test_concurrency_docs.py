"""The concurrency and retry headers reach browsers (CORS) and the OpenAPI schema."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

ORIGIN = "https://portal.clinica.test"


def test_cors_preflight_allows_the_conditional_and_idempotency_request_headers(anon_client, settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]

    response = anon_client.options(
        "/api/v1/citas/1/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-match, if-none-match, idempotency-key, authorization",
    )

    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"if-match", "if-none-match", "idempotency-key", "authorization"} <= allowed


def test_cors_exposes_etag_and_idempotent_replayed(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]

    response = api_client("admin").get("/api/v1/auth/me/", HTTP_ORIGIN=ORIGIN)

    exposed = {h.strip() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Idempotent-Replayed"} <= exposed


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def header_names(operation):
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}


def test_the_schema_documents_etag_and_304_on_detail_reads(schema):
    for path in ("/api/v1/citas/{id}/", "/api/v1/pacientes/{id}/historial/", "/api/v1/auth/me/"):
        operation = schema["paths"][path]["get"]
        assert "If-None-Match" in header_names(operation), path
        assert "304" in operation["responses"], path
        assert "ETag" in operation["responses"]["200"]["headers"], path


def test_the_schema_documents_if_match_and_412_on_every_detail_write(schema):
    writes = [
        (path, method)
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/") and "{id}" in path
        for method in operations
        if method in ("put", "patch", "delete") or (method == "post" and path.endswith("/confirmar/"))
    ]
    assert len(writes) > 20

    for path, method in writes:
        operation = schema["paths"][path][method]
        assert "If-Match" in header_names(operation), (path, method)
        assert "412" in operation["responses"], (path, method)
    assert "If-Match" in header_names(schema["paths"]["/api/v1/citas/{id}/cancelar/"]["post"])


def test_the_schema_documents_idempotency_key_on_posts_but_not_on_login(schema):
    operation = schema["paths"]["/api/v1/citas/"]["post"]

    assert "Idempotency-Key" in header_names(operation)
    assert {"409", "422"} <= set(operation["responses"])
    assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]
    assert "ETag" in operation["responses"]["201"]["headers"]
    assert "Idempotency-Key" not in header_names(schema["paths"]["/api/v1/auth/token/"]["post"])
    assert "If-Match" not in header_names(schema["paths"]["/api/v1/citas/"]["post"])
