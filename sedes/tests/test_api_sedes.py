"""/api/v1/sedes/: admin writes, staff read every sede, an owner only the active ones that take
online bookings; IANA zones and codes are validated; a sede in use is never deleted."""

import pytest

from accounts.tests.factories import VeterinarioFactory
from citas.tests.factories import CitaFactory
from sedes.models import Sede
from sedes.tests.factories import SedeFactory, sede_principal
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/sedes/"


def test_the_migrations_create_the_default_sede_in_the_servers_zone(settings):
    sede = sede_principal()

    assert (sede.codigo, sede.nombre, sede.zona_horaria) == ("PRAL", settings.CLINIC_NAME, settings.TIME_ZONE)


def test_admin_creates_a_sede(api_client):
    response = api_client("admin").post(
        URL,
        {"nombre": "Las Palmas", "codigo": "LPA", "zona_horaria": "Atlantic/Canary", "telefono": "928 111 222"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["zona_horaria"] == "Atlantic/Canary"
    assert body["reserva_online"] is True and body["activo"] is True
    assert body["telefono"] == "+34928111222"
    assert Sede.objects.filter(codigo="LPA").exists()


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("zona_horaria", "Europe/Atlantis", "zona_horaria_invalida"),
        # names a system's zone directory holds that are no place
        ("zona_horaria", "localtime", "zona_horaria_invalida"),
        ("zona_horaria", "Factory", "zona_horaria_invalida"),
        ("telefono", "abc\u0007\ndef", "caracteres_de_control"),
        ("zona_horaria", "", "blank"),
        ("codigo", "l", "codigo_invalido"),
        ("codigo", "mad", "codigo_invalido"),
        ("codigo", "ABCDEFGHIJK", "max_length"),
        ("codigo", "PRAL", "unique"),
    ],
)
def test_bad_sede_values_are_400_with_their_code(api_client, field, value, code):
    data = {"nombre": "Nueva", "codigo": "NUE", "zona_horaria": "Europe/Madrid", field: value}

    response = api_client("admin").post(URL, data, format="json")

    assert response.status_code == 400
    assert code in error_codes(response)[field]


def test_sede_names_are_unique_whatever_their_case(api_client):
    SedeFactory(nombre="Madrid Centro")

    response = api_client("admin").post(
        URL, {"nombre": "madrid centro", "codigo": "MC2", "zona_horaria": "Europe/Madrid"}, format="json"
    )

    assert response.status_code == 400
    assert error_codes(response) == {"nombre": ["unique"]}
    # a PATCH to another's name too
    otra = SedeFactory()
    response = api_client("admin").patch(f"{URL}{otra.pk}/", {"nombre": "MADRID centro"}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"nombre": ["unique"]}


def test_a_sede_telefono_with_control_characters_is_refused_on_patch(api_client):
    sede = SedeFactory()

    response = api_client("admin").patch(f"{URL}{sede.pk}/", {"telefono": "abc\u0007\ndef"}, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"telefono": ["caracteres_de_control"]}
    sede.refresh_from_db()
    assert "def" not in sede.telefono


@pytest.mark.parametrize("rol", ["veterinario", "recepcionista", "cliente"])
def test_only_an_admin_writes_sedes(api_client, rol):
    sede = SedeFactory()
    client = api_client(rol)

    assert client.post(URL, {"nombre": "X", "codigo": "XX", "zona_horaria": "UTC"}, format="json").status_code == 403
    assert client.patch(f"{URL}{sede.id}/", {"nombre": "Y"}, format="json").status_code == 403
    assert client.delete(f"{URL}{sede.id}/").status_code == 403


@pytest.mark.parametrize("rol", ["veterinario", "recepcionista"])
def test_staff_read_every_sede_even_where_they_do_not_work(api_client, rol):
    otra = SedeFactory(reserva_online=False, activo=False)

    response = api_client(rol).get(URL)

    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {sede_principal().id, otra.id}


def test_an_owner_sees_only_active_sedes_that_take_online_bookings(api_client):
    abierta = SedeFactory()
    sin_reserva = SedeFactory(reserva_online=False)
    cerrada = SedeFactory(activo=False)
    client = api_client("cliente")

    ids = {row["id"] for row in client.get(URL).json()["results"]}

    assert ids == {sede_principal().id, abierta.id}
    assert client.get(f"{URL}{sin_reserva.id}/").status_code == 404
    assert client.get(f"{URL}{cerrada.id}/").status_code == 404


def test_sedes_filter_by_activo_and_search_by_nombre(api_client):
    SedeFactory(nombre="Las Palmas", activo=False)
    client = api_client("admin")

    assert [row["nombre"] for row in client.get(URL, {"activo": "false"}).json()["results"]] == ["Las Palmas"]
    assert [row["nombre"] for row in client.get(URL, {"search": "palm"}).json()["results"]] == ["Las Palmas"]


def test_deleting_a_sede_with_citas_is_409_and_keeps_it(api_client):
    cita = CitaFactory()

    response = api_client("admin").delete(f"{URL}{cita.sede_id}/")

    assert response.status_code == 409
    assert error_codes(response) == {None: ["tiene_historial"]}
    assert Sede.objects.filter(pk=cita.sede_id).exists()


def test_deleting_a_sede_with_staff_is_409(api_client):
    sede = SedeFactory(personal=[VeterinarioFactory()])

    response = api_client("admin").delete(f"{URL}{sede.id}/")

    assert response.status_code == 409
    assert Sede.objects.filter(pk=sede.pk).exists()


def test_an_unused_sede_is_deleted(api_client):
    sede = SedeFactory()

    assert api_client("admin").delete(f"{URL}{sede.id}/").status_code == 204
    assert not Sede.objects.filter(pk=sede.pk).exists()
