"""Vacunas rows (contract v1.1): `vencida`, computed by the one rule of superseded doses
(historial.selectors, which recordatorios uses too), and the proxima_dosis filters."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Rol
from historial.selectors import vacuna_list, vacunas_vencidas
from historial.tests.factories import VacunaFactory
from pacientes.tests.factories import PacienteFactory
from recordatorios.selectors import vacunas_pendientes

pytestmark = pytest.mark.django_db

URL = "/api/v1/vacunas/"


def dias(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def codes(response, attr):
    """The error codes of `attr` (the flat DRF body, or the v1.1 `errors` list)."""
    if "errors" in response.data:
        return [error["code"] for error in response.data["errors"] if error["attr"] == attr]
    return [error.code for error in response.data[attr]]


@pytest.fixture
def api(api_client):
    return api_client(Rol.VETERINARIO)


@pytest.fixture
def dosis(db):
    """A dose past due, one superseded by a later application (another case), one due later,
    one due today, and one with no next dose."""
    paciente = PacienteFactory()
    return {
        "vencida": VacunaFactory(nombre="Leishmania", fecha_aplicacion=dias(-400), proxima_dosis=dias(-1)),
        "superada": VacunaFactory(
            paciente=paciente, nombre="Rabia", fecha_aplicacion=dias(-400), proxima_dosis=dias(-35)
        ),
        "posterior": VacunaFactory(
            paciente=paciente, nombre="RABIA", fecha_aplicacion=dias(-30), proxima_dosis=dias(335)
        ),
        "hoy": VacunaFactory(nombre="Moquillo", fecha_aplicacion=dias(-365), proxima_dosis=dias(0)),
        "sin_proxima": VacunaFactory(nombre="Tos", fecha_aplicacion=dias(-700), proxima_dosis=None),
    }


def test_each_row_says_whether_its_dose_is_overdue(api, dosis):
    # when the list is read
    rows = {row["id"]: row for row in api.get(URL, {"page_size": 100}).json()["results"]}

    # then only the dose past due and not superseded is vencida (a dose due today is not yet)
    assert {name: rows[vacuna.id]["vencida"] for name, vacuna in dosis.items()} == {
        "vencida": True,
        "superada": False,
        "posterior": False,
        "hoy": False,
        "sin_proxima": False,
    }
    assert all(rows[vacuna.id]["paciente_nombre"] == vacuna.paciente.nombre for vacuna in dosis.values())


def test_the_detail_the_historial_and_a_write_answer_vencida_too(api, dosis):
    vencida = dosis["vencida"]

    detail = api.get(f"{URL}{vencida.id}/").json()
    historial = api.get(f"/api/v1/pacientes/{dosis['superada'].paciente_id}/historial/").json()
    written = api.patch(f"{URL}{vencida.id}/", {"lote": "L-1"}, format="json").json()

    assert detail["vencida"] is True
    assert {v["id"]: v["vencida"] for v in historial["vacunas"]} == {
        dosis["superada"].id: False,
        dosis["posterior"].id: False,
    }
    assert (written["lote"], written["vencida"]) == ("L-1", True)


def test_a_later_application_makes_an_overdue_dose_no_longer_vencida(api, dosis):
    vencida = dosis["vencida"]
    VacunaFactory(paciente=vencida.paciente, nombre="leishmania", fecha_aplicacion=dias(-1))

    assert api.get(f"{URL}{vencida.id}/").json()["vencida"] is False


def test_vencida_is_read_only(api, dosis):
    vacuna = dosis["vencida"]

    response = api.patch(f"{URL}{vacuna.id}/", {"vencida": False}, format="json")

    assert response.status_code == 200
    assert response.json()["vencida"] is True


def test_the_vencidas_filter_agrees_with_the_field(api, dosis):
    vencidas = api.get(URL, {"vencidas": "true"}).json()["results"]
    no_vencidas = api.get(URL, {"vencidas": "false", "page_size": 100}).json()["results"]

    assert [row["id"] for row in vencidas] == [dosis["vencida"].id]
    assert all(row["vencida"] for row in vencidas)
    assert {row["id"] for row in no_vencidas} == {v.id for name, v in dosis.items() if name != "vencida"}
    assert not any(row["vencida"] for row in no_vencidas)


def test_recordatorios_use_the_same_superseded_rule(dosis, admin_user):
    # given the reminders' window over every due date of the fixture
    pendientes = vacunas_pendientes(desde=dias(-400), hasta=dias(400))

    # then the superseded dose is no reminder, as it is not vencida in the API
    assert dosis["superada"] not in pendientes
    assert {dosis["vencida"], dosis["posterior"], dosis["hoy"]} <= set(pendientes)
    assert set(vacunas_vencidas(vacuna_list(user=admin_user).filter(pk__in=[v.pk for v in pendientes]))) == {
        dosis["vencida"]
    }


# --- proxima_dosis filters ---------------------------------------------------------------------


def test_proxima_dosis_desde_and_hasta_include_both_ends(api):
    antes = VacunaFactory(proxima_dosis=dias(9))
    desde = VacunaFactory(proxima_dosis=dias(10))
    hasta = VacunaFactory(proxima_dosis=dias(20))
    VacunaFactory(proxima_dosis=dias(21))
    VacunaFactory(proxima_dosis=None)

    both = api.get(URL, {"proxima_dosis_desde": dias(10).isoformat(), "proxima_dosis_hasta": dias(20).isoformat()})
    only_desde = api.get(URL, {"proxima_dosis_desde": dias(10).isoformat(), "page_size": 100})

    assert {row["id"] for row in both.json()["results"]} == {desde.id, hasta.id}
    assert antes.id not in {row["id"] for row in only_desde.json()["results"]}
    assert len(only_desde.json()["results"]) == 3


@pytest.mark.parametrize("param", ["proxima_dosis_desde", "proxima_dosis_hasta"])
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_far_date_is_400_fecha_fuera_de_rango(api, param, value):
    response = api.get(URL, {param: value})

    assert response.status_code == 400
    assert codes(response, param) == ["fecha_fuera_de_rango"]


@pytest.mark.parametrize("param", ["proxima_dosis_desde", "proxima_dosis_hasta"])
@pytest.mark.parametrize("value", ["mañana", "05/01/2026", "2026-02-30", "2026-03"])
def test_a_malformed_date_is_400(api, param, value):
    response = api.get(URL, {param: value})

    assert response.status_code == 400
    assert codes(response, param)


@pytest.mark.parametrize("value", ["quizá", "2"])
def test_vencidas_takes_only_true_or_false(api, value):
    response = api.get(URL, {"vencidas": value})

    assert response.status_code == 400
    assert codes(response, "vencidas") == ["invalid"]
