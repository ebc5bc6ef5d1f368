"""OPTIONS (and a 405's Allow header) offer a caller only the methods its rol may use."""

import pytest

from clientes.tests.factories import ClienteFactory

pytestmark = pytest.mark.django_db


def allowed(response):
    return {method.strip() for method in response["Allow"].split(",")}


@pytest.mark.parametrize(
    "rol, expected",
    [
        ("admin", {"GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}),
        ("recepcionista", {"GET", "PUT", "PATCH", "HEAD", "OPTIONS"}),
        ("veterinario", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_options_on_a_cliente_lists_what_the_rol_may_do(api_client, rol, expected):
    cliente = ClienteFactory()

    response = api_client(rol).options(f"/api/v1/clientes/{cliente.pk}/")

    assert response.status_code == 200
    assert allowed(response) == expected


@pytest.mark.parametrize(
    "rol, expected",
    [
        ("admin", {"GET", "POST", "HEAD", "OPTIONS"}),
        ("veterinario", {"GET", "POST", "HEAD", "OPTIONS"}),
        ("recepcionista", {"GET", "HEAD", "OPTIONS"}),
        ("cliente", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_options_on_the_consultas_list_lists_what_the_rol_may_do(api_client, rol, expected):
    response = api_client(rol).options("/api/v1/consultas/")

    assert allowed(response) == expected


def test_a_forbidden_method_is_not_advertised_on_the_answer_either(api_client):
    response = api_client("veterinario").post("/api/v1/clientes/", {})

    assert response.status_code == 403
    assert "POST" not in allowed(response)
