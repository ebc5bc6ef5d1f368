"""Citas are audited like the clinical record: who, when and what, for every API change."""

import pytest

from citas.models import Cita, EstadoCita
from citas.tests.factories import CitaFactory, manana_a_las
from pacientes.models import Paciente
from pacientes.tests.factories import PacienteFactory
from tests.errors import error_code

pytestmark = pytest.mark.django_db

URL = "/api/v1/citas/"


def test_booking_records_who(client_for, recepcionista, veterinario):
    paciente = PacienteFactory()

    response = client_for(recepcionista).post(
        URL,
        {"paciente": paciente.id, "veterinario": veterinario.id, "inicio": manana_a_las(10).isoformat(), "motivo": "x"},
    )

    entry = Cita.history.get(id=response.json()["id"])
    assert (entry.history_type, entry.history_user) == ("+", recepcionista)


def test_reschedule_and_transitions_record_who_and_what(client_for, recepcionista, veterinario):
    cita = CitaFactory(veterinario=veterinario, inicio=manana_a_las(10), fin=manana_a_las(10, 30))

    client_for(recepcionista).patch(f"{URL}{cita.id}/", {"inicio": manana_a_las(11).isoformat()})
    client_for(veterinario).post(f"{URL}{cita.id}/cancelar/", {"motivo": "El dueño está de viaje"})

    moved, cancelled = Cita.history.filter(id=cita.id).order_by("history_id")[1:]
    delta = moved.diff_against(moved.prev_record)
    assert moved.history_user == recepcionista
    assert {c.field for c in delta.changes} >= {"inicio", "fin"}
    assert cancelled.history_user == veterinario
    assert (cancelled.estado, cancelled.motivo_cancelacion) == (EstadoCita.CANCELADA, "El dueño está de viaje")


def test_deleting_records_who(client_for, admin_user):
    cita = CitaFactory()

    assert client_for(admin_user).delete(f"{URL}{cita.id}/").status_code == 204

    latest = Cita.history.filter(id=cita.id).latest()
    assert (latest.history_type, latest.history_user) == ("-", admin_user)


def test_a_paciente_with_citas_cannot_be_deleted(client_for, admin_user):
    cita = CitaFactory()

    response = client_for(admin_user).delete(f"/api/v1/pacientes/{cita.paciente_id}/")

    assert response.status_code == 409
    assert error_code(response) == "tiene_historial"
    assert Paciente.objects.filter(id=cita.paciente_id).exists()
