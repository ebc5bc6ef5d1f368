"""Dates are `YYYY-MM-DD` exactly (four, two and two digits), in bodies and in query filters:
anything else is a 400 `invalid`, never a guess."""

import pytest

from clientes.tests.factories import ClienteFactory
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

NOT_EXACTLY_ISO = ["2024-1-5", "2024-01-5", "20240105", "24-01-05", "2024/01/05", "2024-01-05T00:00"]


@pytest.mark.parametrize("value", NOT_EXACTLY_ISO)
def test_a_body_date_not_in_the_exact_format_is_refused(client_for, recepcionista, value):
    # given a new paciente whose birth date is written another way
    body = {"nombre": "Nube", "especie": "gato", "propietario": ClienteFactory().pk, "fecha_nacimiento": value}

    # when it is posted, then it is a 400 on that field, and nothing is stored
    response = client_for(recepcionista).post("/api/v1/pacientes/", body, format="json")
    assert response.status_code == 400, response.content
    assert error_codes(response) == {"fecha_nacimiento": ["invalid"]}


@pytest.mark.parametrize("value", NOT_EXACTLY_ISO)
def test_a_filter_date_not_in_the_exact_format_is_refused(client_for, recepcionista, value):
    response = client_for(recepcionista).get("/api/v1/citas/", {"fecha": value})

    assert response.status_code == 400, response.content
    assert error_codes(response) == {"fecha": ["invalid"]}


def test_the_exact_format_is_accepted(client_for, recepcionista):
    api = client_for(recepcionista)
    body = {"nombre": "Nube", "especie": "gato", "propietario": ClienteFactory().pk, "fecha_nacimiento": "2024-01-05"}

    assert api.post("/api/v1/pacientes/", body, format="json").status_code == 201
    assert api.get("/api/v1/citas/", {"fecha": "2024-01-05"}).status_code == 200
