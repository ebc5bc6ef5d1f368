"""A `cliente` user never learns that other owners' objects exist, filters included."""

import pytest

from citas.tests.factories import CitaFactory
from clientes.tests.factories import ClienteFactory
from pacientes.tests.factories import PacienteFactory
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/citas/"


@pytest.mark.parametrize("name", ["paciente", "cliente"])
def test_owner_filtering_by_someone_elses_id_answers_like_an_unknown_id(client_for, cliente, name):
    ajeno = {"paciente": PacienteFactory().id, "cliente": ClienteFactory().id}[name]
    api = client_for(cliente.usuario)

    otro = api.get(URL, {name: ajeno})
    inexistente = api.get(URL, {name: 99999999})

    assert otro.status_code == inexistente.status_code == 400
    assert error_codes(otro) == error_codes(inexistente) == {name: ["invalid_choice"]}


def test_owner_filters_by_own_paciente_and_own_cliente_id(client_for, cliente):
    propia = CitaFactory(paciente__propietario=cliente)
    api = client_for(cliente.usuario)

    for params in ({"paciente": propia.paciente_id}, {"cliente": cliente.id}):
        response = api.get(URL, params)
        assert response.status_code == 200
        assert [c["id"] for c in response.json()["results"]] == [propia.id]


def test_cliente_filter_refuses_non_integer_ids(api_client):
    assert api_client("recepcionista").get(URL, {"cliente": "1.5"}).status_code == 400
