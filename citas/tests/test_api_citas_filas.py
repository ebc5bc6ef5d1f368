"""Citas rows (contract v1.1): the paciente's especie and the owner's name and phone, read-only,
read in the list's one query."""

import pytest

from accounts.models import Rol
from citas.models import Cita
from citas.tests.factories import CitaFactory, manana_a_las
from clientes.tests.factories import ClienteFactory
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/citas/"


@pytest.fixture
def cita(db):
    owner = ClienteFactory(nombre="Lucía", apellidos="Ferrer Gil", telefono="+34600111222")
    return CitaFactory(paciente=PacienteFactory(propietario=owner, nombre="Nala", especie="gato"))


def test_a_cita_row_names_the_paciente_especie_and_the_owner_with_their_phone(api_client, cita):
    # when staff read the list and the detail
    api = api_client(Rol.RECEPCIONISTA)
    row = api.get(URL).json()["results"][0]
    detail = api.get(f"{URL}{cita.id}/").json()

    # then both carry the paciente's especie and the owner's id, name and phone
    for body in (row, detail):
        assert (body["paciente_nombre"], body["paciente_especie"]) == ("Nala", "gato")
        assert (body["cliente"], body["cliente_nombre"], body["cliente_telefono"]) == (
            cita.paciente.propietario_id,
            "Lucía Ferrer Gil",
            "+34600111222",
        )


def test_an_owner_sees_the_same_fields_on_their_own_citas(client_for, cliente):
    cita = CitaFactory(paciente=PacienteFactory(propietario=cliente, especie="perro"))

    body = client_for(cliente.usuario).get(f"{URL}{cita.id}/").json()

    assert (body["paciente_especie"], body["cliente_nombre"], body["cliente_telefono"]) == (
        "perro",
        cliente.nombre_completo,
        cliente.telefono,
    )


def test_the_new_fields_are_read_only(api_client, cita):
    api = api_client(Rol.RECEPCIONISTA)

    response = api.patch(
        f"{URL}{cita.id}/",
        {"paciente_especie": "ave", "cliente_nombre": "Otro", "cliente_telefono": "+34699999999", "notas": "ok"},
        format="json",
    )

    assert response.status_code == 200
    owner = cita.paciente.propietario
    owner.refresh_from_db()
    cita.paciente.refresh_from_db()
    assert (cita.paciente.especie, owner.nombre, owner.telefono) == ("gato", "Lucía", "+34600111222")
    assert Cita.objects.get(pk=cita.pk).notas == "ok"


def test_a_booking_answers_with_the_new_fields(api_client, veterinario):
    paciente = PacienteFactory(especie="conejo", propietario=ClienteFactory(telefono="+34611222333"))

    response = api_client(Rol.RECEPCIONISTA).post(
        URL,
        {"paciente": paciente.id, "veterinario": veterinario.id, "inicio": manana_a_las(10).isoformat(), "motivo": "x"},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["paciente_especie"], response.json()["cliente_telefono"]) == ("conejo", "+34611222333")


def test_the_list_reads_owners_in_the_same_query_whatever_their_number(api_client, django_assert_max_num_queries):
    # given citas of 30 pacientes of 30 different owners
    for _ in range(30):
        CitaFactory(paciente=PacienteFactory(propietario=ClienteFactory()), inicio=manana_a_las(9))
    api = api_client(Rol.ADMIN)

    # then a page of them costs the user, the count and the page: no query per owner
    with django_assert_max_num_queries(3):
        response = api.get(URL, {"page_size": 30})

    assert len({row["cliente_nombre"] for row in response.json()["results"]}) >= 2
