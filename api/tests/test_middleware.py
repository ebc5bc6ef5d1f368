import json
import logging

import pytest

from core.logging import JsonFormatter, RequestIdFilter
from tests.errors import error_code

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_request_id(anon_client):
    response = anon_client.get("/health/")

    assert len(response["X-Request-ID"]) == 32


def test_a_sane_incoming_request_id_is_kept(anon_client):
    response = anon_client.get("/health/", HTTP_X_REQUEST_ID="lb-1234.abc")

    assert response["X-Request-ID"] == "lb-1234.abc"


def test_a_hostile_incoming_request_id_is_replaced(anon_client):
    response = anon_client.get("/health/", HTTP_X_REQUEST_ID="<script>" * 20)

    assert response["X-Request-ID"] != "<script>" * 20


def test_oversized_body_is_413(client_for, admin_user, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1000

    response = client_for(admin_user).post(
        "/api/v1/clientes/", {"nombre": "x" * 2000, "apellidos": "y", "telefono": "1"}, format="json"
    )

    assert response.status_code == 413
    assert error_code(response) == "request_too_large"


@pytest.mark.parametrize("query", ["search=%00", "search=a%00b"])
def test_nul_bytes_in_query_string_are_400(client_for, admin_user, query):
    response = client_for(admin_user).get(f"/api/v1/clientes/?{query}")

    assert response.status_code == 400
    assert error_code(response) == "bad_request"


def test_json_log_lines_carry_the_request_id():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "fallo %s", ("x",), None)
    RequestIdFilter().filter(record)

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "fallo x"
    assert line["level"] == "ERROR"
    assert "request_id" in line
