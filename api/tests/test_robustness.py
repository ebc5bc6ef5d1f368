"""Hostile or broken input gets a clear 4xx, never a 500; failures never leak internals."""

import pytest
from django.test import Client

from tests.errors import error_body, error_code, error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/clientes/"


@pytest.fixture
def api(client_for, admin_user):
    return client_for(admin_user)


def raw_post(api, body, content_type="application/json"):
    return api.generic("POST", URL, body, content_type=content_type)


@pytest.mark.parametrize(
    "body",
    [
        b'{"nombre": "Ana", ',  # truncated JSON
        b"\xff\xfe\x00n\x00o",  # not UTF-8
        b'{"nombre": "A\\u0000na", "apellidos": "B", "telefono": "1"}',  # NUL character
        b'{"nombre": "\\udc80", "apellidos": "B", "telefono": "1"}',  # lone surrogate
        b"[1, 2, 3]",  # not an object
        b"null",
    ],
)
def test_broken_json_bodies_are_400(api, body):
    response = raw_post(api, body)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert error_body(response)["type"] == "validation_error"


def test_huge_strings_are_field_errors(api):
    response = api.post(URL, {"nombre": "x" * 100_000, "apellidos": "B", "telefono": "1"}, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"nombre": ["max_length"]}


def test_form_bodies_are_415(api):
    response = raw_post(api, b"nombre=Ana", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert error_code(response) == "unsupported_media_type"


@pytest.mark.parametrize("path", [f"{URL}abc/", f"{URL}1.5/", f"{URL}-1/", f"{URL}99999999999999999999999/"])
def test_ids_that_are_not_numbers_are_json_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert error_code(response) == "not_found"


@pytest.mark.parametrize("params", [{"page": "-1"}, {"page": "abc"}, {"page": "99999999999999999999"}])
def test_bad_pages_are_404(api, params):
    assert api.get(URL, params).status_code == 404


def test_page_size_beyond_the_cap_is_a_400(api):
    # Contract v1.1: page_size outside 1..100 is refused (v1 cut it to 100 silently).
    from clientes.tests.factories import ClienteFactory

    ClienteFactory.create_batch(101)

    assert api.get(URL, {"page_size": 10**9}).status_code == 400
    assert len(api.get(URL, {"page_size": 100}).json()["results"]) == 100


def test_unexpected_errors_are_a_bare_500(admin_user, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("secreto interno: contraseña=1234")

    from clientes.views import ClienteViewSet

    monkeypatch.setattr(ClienteViewSet, "selector", staticmethod(broken))
    from conftest import bearer

    client = Client(raise_request_exception=False)
    response = client.get(URL, **bearer(admin_user))

    assert response.status_code == 500
    assert response.json() == {
        "type": "server_error",
        "errors": [{"code": "error", "detail": "Error interno del servidor.", "attr": None}],
    }
    assert b"secreto" not in response.content
    assert b"Traceback" not in response.content


def test_security_headers(anon_client):
    response = anon_client.get("/health/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_cors_allows_only_configured_origins(anon_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://portal.clinica.test"]

    allowed = anon_client.get("/health/", HTTP_ORIGIN="https://portal.clinica.test")
    other = anon_client.get("/health/", HTTP_ORIGIN="https://malicioso.test")

    assert allowed["Access-Control-Allow-Origin"] == "https://portal.clinica.test"
    assert "Access-Control-Allow-Origin" not in other
