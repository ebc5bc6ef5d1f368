"""A `cliente` user's filters are scoped like the lists: another owner's id answers
exactly like an id that does not exist, so no filter reveals that it exists."""

import pytest

from clientes.tests.factories import ClienteFactory
from historial.tests.factories import ConsultaFactory, VacunaFactory
from pacientes.tests.factories import PacienteFactory
from tests.errors import error_codes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "name", "ajeno"),
    [
        ("/api/v1/pacientes/", "propietario", lambda: ClienteFactory().id),
        ("/api/v1/consultas/", "paciente", lambda: PacienteFactory().id),
        ("/api/v1/vacunas/", "paciente", lambda: PacienteFactory().id),
    ],
)
def test_owner_filtering_by_someone_elses_id_answers_like_an_unknown_id(client_for, cliente, url, name, ajeno):
    api = client_for(cliente.usuario)

    otro = api.get(url, {name: ajeno()})
    inexistente = api.get(url, {name: 99999999})

    assert otro.status_code == inexistente.status_code == 400
    assert error_codes(otro) == error_codes(inexistente) == {name: ["invalid_choice"]}


def test_owner_filters_pacientes_by_own_id(client_for, cliente):
    propio = PacienteFactory(propietario=cliente)
    PacienteFactory()

    response = client_for(cliente.usuario).get("/api/v1/pacientes/", {"propietario": cliente.id})

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [propio.id]


@pytest.mark.parametrize(
    ("url", "factory"), [("/api/v1/consultas/", ConsultaFactory), ("/api/v1/vacunas/", VacunaFactory)]
)
def test_owner_filters_clinical_records_by_own_paciente(client_for, cliente, url, factory):
    propio = factory(paciente__propietario=cliente)
    factory()

    response = client_for(cliente.usuario).get(url, {"paciente": propio.paciente_id})

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [propio.id]


def test_staff_filter_by_any_paciente(api_client):
    registro = ConsultaFactory()

    response = api_client("recepcionista").get("/api/v1/consultas/", {"paciente": registro.paciente_id})

    assert [r["id"] for r in response.json()["results"]] == [registro.id]
