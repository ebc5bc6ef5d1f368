"""Every change to clientes and pacientes is kept: who, when and what (consultas and vacunas:
historial/tests/test_audit.py)."""

import pytest

from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from pacientes.models import Paciente
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db


def test_creating_a_paciente_records_who(client_for, recepcionista):
    dueno = ClienteFactory()

    response = client_for(recepcionista).post(
        "/api/v1/pacientes/", {"nombre": "Lur", "especie": "gato", "propietario": dueno.id}
    )

    entry = Paciente.history.get(id=response.json()["id"])
    assert entry.history_type == "+"
    assert entry.history_user == recepcionista


def test_updating_a_cliente_records_who_and_what_changed(client_for, recepcionista):
    cliente = ClienteFactory(telefono="+34 600 000 000")

    client_for(recepcionista).patch(f"/api/v1/clientes/{cliente.id}/", {"telefono": "+34 611 111 111"})

    latest = Cliente.history.filter(id=cliente.id).latest()
    delta = latest.diff_against(latest.prev_record)
    assert latest.history_type == "~"
    assert latest.history_user == recepcionista
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("telefono", "+34 600 000 000", "+34611111111")]


def test_an_unchanged_update_writes_no_history(client_for, recepcionista):
    paciente = PacienteFactory()
    before = Paciente.history.filter(id=paciente.id).count()

    client_for(recepcionista).patch(f"/api/v1/pacientes/{paciente.id}/", {"nombre": paciente.nombre})

    assert Paciente.history.filter(id=paciente.id).count() == before


def test_history_is_visible_in_the_admin(client, admin_user):
    paciente = PacienteFactory()
    client.force_login(admin_user)

    response = client.get(f"/admin/pacientes/paciente/{paciente.id}/history/")

    assert response.status_code == 200
    assert paciente.nombre in response.content.decode()
