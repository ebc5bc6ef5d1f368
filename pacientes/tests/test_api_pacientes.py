import datetime

import pytest
from django.utils import timezone

from accounts.models import Rol
from clientes.tests.factories import ClienteFactory
from pacientes.models import Paciente
from pacientes.tests.factories import PacienteFactory
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/pacientes/"

CONTRACT_FIELDS = {
    "id",
    "nombre",
    "especie",
    "raza",
    "sexo",
    "fecha_nacimiento",
    "color",
    "microchip",
    "esterilizado",
    "peso_kg",
    "alergias",
    "notas",
    "fallecido",
    "fecha_fallecimiento",
    "propietario",
    "propietario_nombre",
    "activo",
    "creado_en",
    "actualizado_en",
}


@pytest.fixture
def recepcion(api_client):
    return api_client(Rol.RECEPCIONISTA)


@pytest.fixture
def propietario(db):
    return ClienteFactory(nombre="Elena", apellidos="Martín")


def nuevo(dueno, **extra):
    return {"nombre": "Toby", "especie": "perro", "propietario": dueno.id, **extra}


def hoy():
    return timezone.localdate()


# --- roles ----------------------------------------------------------------------


def test_anonymous_gets_401(anon_client):
    assert anon_client.get(URL).status_code == 401


@pytest.mark.parametrize(
    "rol,status", [(Rol.ADMIN, 201), (Rol.RECEPCIONISTA, 201), (Rol.VETERINARIO, 403), (Rol.CLIENTE, 403)]
)
def test_create_per_rol(api_client, propietario, rol, status):
    response = api_client(rol).post(URL, nuevo(propietario))

    assert response.status_code == status
    assert Paciente.objects.exists() == (status == 201)


@pytest.mark.parametrize("rol", [Rol.ADMIN, Rol.RECEPCIONISTA, Rol.VETERINARIO])
def test_staff_reads_and_updates(api_client, rol):
    paciente = PacienteFactory()
    api = api_client(rol)

    assert api.get(f"{URL}{paciente.id}/").status_code == 200
    assert api.patch(f"{URL}{paciente.id}/", {"peso_kg": "12.50"}).status_code == 200
    paciente.refresh_from_db()
    assert str(paciente.peso_kg) == "12.50"


@pytest.mark.parametrize("rol", [Rol.VETERINARIO, Rol.RECEPCIONISTA])
def test_only_admin_deletes(api_client, rol):
    paciente = PacienteFactory()

    assert api_client(rol).delete(f"{URL}{paciente.id}/").status_code == 403
    assert Paciente.objects.filter(id=paciente.id).exists()


def test_admin_deletes_paciente_without_history(api_client):
    paciente = PacienteFactory()

    assert api_client(Rol.ADMIN).delete(f"{URL}{paciente.id}/").status_code == 204
    assert not Paciente.objects.filter(id=paciente.id).exists()


def test_cliente_user_reads_only_own_pacientes(client_for, cliente):
    propio = PacienteFactory(propietario=cliente)
    ajeno = PacienteFactory()
    api = client_for(cliente.usuario)

    listed = api.get(URL).json()["results"]

    assert [p["id"] for p in listed] == [propio.id]
    assert api.get(f"{URL}{propio.id}/").status_code == 200
    assert api.get(f"{URL}{ajeno.id}/").status_code == 404


def test_cliente_user_gets_404_not_403_when_writing_other_clients_paciente(client_for, cliente):
    ajeno = PacienteFactory()
    api = client_for(cliente.usuario)

    # Own objects: the role may not write (403); others' objects do not exist for it (403 too,
    # since the role check runs first and reveals nothing about the id).
    assert api.patch(f"{URL}{ajeno.id}/", {"nombre": "X"}).status_code == 403
    assert api.get(f"{URL}{ajeno.id}/").status_code == 404


def test_cliente_user_cannot_update_own_paciente(client_for, cliente):
    propio = PacienteFactory(propietario=cliente)

    assert client_for(cliente.usuario).patch(f"{URL}{propio.id}/", {"nombre": "X"}).status_code == 403


# --- create shape and validation ----------------------------------------------------


def test_create_returns_contract_fields_and_defaults(recepcion, propietario):
    response = recepcion.post(URL, nuevo(propietario))

    assert response.status_code == 201
    body = response.json()
    assert set(body) == CONTRACT_FIELDS
    assert body["sexo"] == "desconocido"
    assert body["propietario_nombre"] == "Elena Martín"
    assert (body["fallecido"], body["activo"], body["esterilizado"]) == (False, True, False)


@pytest.mark.parametrize("missing", ["nombre", "especie", "propietario"])
def test_required_fields(recepcion, propietario, missing):
    data = nuevo(propietario)
    del data[missing]

    response = recepcion.post(URL, data)

    assert response.status_code == 400
    assert error_codes(response) == {missing: ["required"]}


@pytest.mark.parametrize(
    "field,value,codes",
    [
        ("especie", "dragon", ["invalid_choice"]),
        ("sexo", "otro", ["invalid_choice"]),
        ("fecha_nacimiento", "2999-01-01", ["fecha_futura"]),
        ("fecha_nacimiento", "31/12/2020", ["invalid"]),
        ("microchip", "12345", ["microchip_invalido"]),
        ("microchip", "72400000000000A", ["microchip_invalido"]),
        ("microchip", "7240000000000001", ["microchip_invalido", "max_length"]),
        ("peso_kg", "-3", ["no_positivo"]),
        ("peso_kg", "0", ["no_positivo"]),
        ("peso_kg", "abc", ["invalid"]),
        ("propietario", 999999, ["does_not_exist"]),
        ("propietario", "x", ["incorrect_type"]),
    ],
)
def test_invalid_values_are_field_errors(recepcion, propietario, field, value, codes):
    response = recepcion.post(URL, nuevo(propietario, **{field: value}))

    assert response.status_code == 400
    assert error_codes(response) == {field: codes}
    assert not Paciente.objects.exists()


def test_a_line_break_in_the_name_is_400_on_create_and_update(recepcion, propietario):
    # given a paciente, and a name that carries a line break (it ends up in the owner's reminders)
    paciente = PacienteFactory(propietario=propietario, nombre="Toby")
    inyeccion = "Toby\nBcc: x@evil.com"

    # when it is posted and patched
    creado = recepcion.post(URL, nuevo(propietario, nombre=inyeccion), format="json")
    cambiado = recepcion.patch(f"{URL}{paciente.id}/", {"nombre": "Toby\x1b[2J"}, format="json")

    # then both are refused on nombre with a stable code, and nothing changes
    assert (creado.status_code, cambiado.status_code) == (400, 400)
    assert error_codes(creado) == {"nombre": ["caracteres_de_control"]}
    assert error_codes(cambiado) == {"nombre": ["caracteres_de_control"]}
    assert list(Paciente.objects.values_list("nombre", flat=True)) == ["Toby"]


def test_future_birth_date_is_rejected_but_today_is_fine(recepcion, propietario):
    manana = hoy() + datetime.timedelta(days=1)

    refused = recepcion.post(URL, nuevo(propietario, fecha_nacimiento=manana.isoformat()))
    assert refused.status_code == 400
    assert error_codes(refused) == {"fecha_nacimiento": ["fecha_futura"]}
    assert recepcion.post(URL, nuevo(propietario, fecha_nacimiento=hoy().isoformat())).status_code == 201


def test_fallecido_requires_a_date(recepcion, propietario):
    response = recepcion.post(URL, nuevo(propietario, fallecido=True))

    assert response.status_code == 400
    assert error_codes(response) == {"fecha_fallecimiento": ["required"]}


def test_date_of_death_requires_fallecido(recepcion, propietario):
    response = recepcion.post(URL, nuevo(propietario, fecha_fallecimiento=hoy().isoformat()))

    assert response.status_code == 400
    assert error_codes(response) == {"fecha_fallecimiento": ["paciente_no_fallecido"]}


def test_fallecido_with_date_is_accepted(recepcion, propietario):
    response = recepcion.post(URL, nuevo(propietario, fallecido=True, fecha_fallecimiento=hoy().isoformat()))

    assert response.status_code == 201


def test_marking_an_existing_paciente_dead_needs_the_date(recepcion):
    paciente = PacienteFactory()

    response = recepcion.patch(f"{URL}{paciente.id}/", {"fallecido": True})

    assert response.status_code == 400
    assert error_codes(response) == {"fecha_fallecimiento": ["required"]}
    paciente.refresh_from_db()
    assert paciente.fallecido is False


def test_duplicate_microchip_is_a_field_error(recepcion, propietario):
    PacienteFactory(microchip="724000000000999")

    response = recepcion.post(URL, nuevo(propietario, microchip="724000000000999"))

    assert response.status_code == 400
    assert error_codes(response) == {"microchip": ["unique"]}


def test_keeping_own_microchip_on_update_is_fine(recepcion):
    paciente = PacienteFactory(microchip="724000000000999")

    response = recepcion.patch(f"{URL}{paciente.id}/", {"microchip": "724000000000999", "nombre": "Nuevo"})

    assert response.status_code == 200


def test_many_pacientes_may_have_no_microchip(recepcion, propietario):
    assert recepcion.post(URL, nuevo(propietario, microchip="")).status_code == 201
    assert recepcion.post(URL, nuevo(propietario, microchip="")).status_code == 201


# --- search, filters, ordering ---------------------------------------------------------


def test_search_by_name_microchip_and_owner(recepcion):
    dueno = ClienteFactory(nombre="Íñigo", apellidos="Etxeberriaqx", documento="99999999R")
    a = PacienteFactory(nombre="Canelaqx", propietario=dueno)
    b = PacienteFactory(nombre="Rocco", microchip="941000012345678")

    def ids(term):
        return {p["id"] for p in recepcion.get(URL, {"search": term}).json()["results"]}

    assert ids("canelaq") == {a.id}
    assert ids("941000012345678") == {b.id}
    assert ids("etxeberriaq") == {a.id}
    assert ids("99999999") == {a.id}


def test_filters(recepcion):
    dueno = ClienteFactory()
    gato = PacienteFactory(especie="gato", sexo="macho", propietario=dueno)
    PacienteFactory(especie="gato", sexo="hembra")
    PacienteFactory(especie="perro", fallecido=True, fecha_fallecimiento=hoy())
    PacienteFactory(especie="perro", activo=False)

    def ids(**params):
        return {p["id"] for p in recepcion.get(URL, params).json()["results"]}

    assert ids(especie="gato", sexo="macho") == {gato.id}
    assert ids(propietario=dueno.id) == {gato.id}
    assert len(ids(fallecido="true")) == 1
    assert len(ids(activo="false")) == 1


@pytest.mark.parametrize("params", [{"especie": "dragon"}, {"propietario": "abc"}, {"fallecido": "talvez"}])
def test_invalid_filter_values_are_400(recepcion, params):
    assert recepcion.get(URL, params).status_code == 400


@pytest.mark.parametrize("ordering", ["nombre", "-nombre", "fecha_nacimiento", "-creado_en"])
def test_ordering(recepcion, ordering):
    for i, nombre in enumerate(["Bimba", "Arya", "Coco"]):
        PacienteFactory(nombre=nombre, fecha_nacimiento=hoy() - datetime.timedelta(days=100 * (i + 1)))
    field = ordering.lstrip("-")

    values = [p[field] for p in recepcion.get(URL, {"ordering": ordering}).json()["results"]]

    assert values == sorted(values, reverse=ordering.startswith("-"))


# --- query budget -----------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_runs_constant_queries(recepcion, django_assert_max_num_queries, page_size):
    PacienteFactory.create_batch(60)

    with django_assert_max_num_queries(3):
        response = recepcion.get(URL, {"page_size": page_size, "search": ""})

    assert len(response.json()["results"]) == page_size


def test_detail_runs_constant_queries(recepcion, django_assert_max_num_queries):
    paciente = PacienteFactory()

    with django_assert_max_num_queries(2):
        assert recepcion.get(f"{URL}{paciente.id}/").status_code == 200
