"""A browser app on an allowed origin can read the contract's headers and send its own."""

import pytest

pytestmark = pytest.mark.django_db

ORIGIN = "https://agenda.clinica.test"
EXPOSED = {
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
    "x-request-id",
    "etag",
    "idempotent-replayed",
}
SENT = {"authorization", "content-type", "idempotency-key", "if-match", "if-none-match", "x-request-id"}


@pytest.fixture(autouse=True)
def allowed_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]


def header_set(value):
    return {name.strip().lower() for name in value.split(",") if name.strip()}


def test_an_answer_to_an_allowed_origin_exposes_the_contracts_headers(client_for, recepcionista):
    response = client_for(recepcionista).get("/api/v1/auth/me/", HTTP_ORIGIN=ORIGIN)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert header_set(response["Access-Control-Expose-Headers"]) == EXPOSED
    # and the exposed headers are there to be read, with their values
    assert response["X-RateLimit-Limit"] == "1200"
    assert response["X-RateLimit-Remaining"] == "1199"
    assert 0 < int(response["X-RateLimit-Reset"]) <= 60
    assert response["X-Request-ID"]


def test_a_429_to_an_allowed_origin_exposes_retry_after(anon_client):
    for _ in range(10):
        anon_client.post("/api/v1/auth/token/", {"email": "ana@clinica.test", "password": "x"}, format="json")

    refused = anon_client.post(
        "/api/v1/auth/token/", {"email": "ana@clinica.test", "password": "x"}, format="json", HTTP_ORIGIN=ORIGIN
    )

    assert refused.status_code == 429
    assert "retry-after" in header_set(refused["Access-Control-Expose-Headers"])
    assert 0 < int(refused["Retry-After"]) <= 60


def test_a_preflight_allows_the_contracts_request_headers(anon_client):
    response = anon_client.options(
        "/api/v1/citas/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=", ".join(sorted(SENT)),
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert header_set(response["Access-Control-Allow-Headers"]) >= SENT


def test_another_origin_is_not_allowed(client_for, recepcionista):
    response = client_for(recepcionista).get("/api/v1/auth/me/", HTTP_ORIGIN="https://otra.example")

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Expose-Headers" not in response
