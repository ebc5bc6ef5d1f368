"""The paciente API with a clinical record: deletion refused, weight following the consultas."""

from decimal import Decimal

import pytest

from accounts.models import Rol
from historial.tests.factories import ConsultaFactory, VacunaFactory
from pacientes.models import Paciente
from pacientes.tests.factories import PacienteFactory
from tests.errors import error_code, error_codes

pytestmark = pytest.mark.django_db


URL = "/api/v1/pacientes/"


@pytest.fixture
def recepcion(api_client):
    return api_client(Rol.RECEPCIONISTA)


@pytest.mark.parametrize("factory", [ConsultaFactory, VacunaFactory])
def test_delete_of_paciente_with_clinical_record_is_409(api_client, factory):
    registro = factory()

    response = api_client(Rol.ADMIN).delete(f"{URL}{registro.paciente_id}/")

    assert response.status_code == 409
    assert error_code(response) == "tiene_historial"
    assert Paciente.objects.filter(id=registro.paciente_id).exists()


def test_weight_is_set_by_hand_while_no_consulta_recorded_one(recepcion):
    paciente = PacienteFactory(peso_kg="10.00")
    ConsultaFactory(paciente=paciente, peso_kg=None)

    response = recepcion.patch(f"{URL}{paciente.id}/", {"peso_kg": "11.50"})

    assert response.status_code == 200
    assert response.json()["peso_kg"] == "11.50"


def test_weight_follows_the_consultas_once_one_recorded_it(recepcion):
    paciente = PacienteFactory(peso_kg="12.00")
    ConsultaFactory(paciente=paciente, peso_kg="12.00")

    changed = recepcion.patch(f"{URL}{paciente.id}/", {"peso_kg": "50"})
    unchanged = recepcion.patch(f"{URL}{paciente.id}/", {"peso_kg": "12", "color": "Canela"})

    assert changed.status_code == 400
    assert error_codes(changed) == {"peso_kg": ["peso_de_consulta"]}
    assert unchanged.status_code == 200
    paciente.refresh_from_db()
    assert (paciente.peso_kg, paciente.color) == (Decimal("12.00"), "Canela")
