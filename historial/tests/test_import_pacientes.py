"""`importar_pacientes` and the clinical record: a weight recorded by a consulta wins."""

from decimal import Decimal

import pytest

from clientes.tests.factories import ClienteFactory
from historial.tests.factories import ConsultaFactory
from pacientes.tests.factories import PacienteFactory
from pacientes.tests.test_import_pacientes import CHIP, csv_file, importar, row  # the file helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return ClienteFactory(documento="1X")


def test_a_weight_recorded_by_a_consulta_is_not_overwritten(tmp_path, owner):
    # given a paciente whose weight was recorded by a consulta
    toby = PacienteFactory(propietario=owner, nombre="Toby", microchip=CHIP, peso_kg=Decimal("12.00"))
    ConsultaFactory(paciente=toby, peso_kg=Decimal("12.00"))
    # when a file brings another weight, or the same one
    other = importar(csv_file(tmp_path, row(microchip=CHIP, peso_kg="30")))
    same = importar(csv_file(tmp_path, row(microchip=CHIP, peso_kg="12,0")))
    # then the row with another weight is rejected with the API's rule, the same weight is fine
    assert other.code == 1
    assert other.error_lines[0].startswith("línea 2: peso_kg: El peso lo fija la última consulta")
    assert same.summary == "0 creados, 0 actualizados, 1 sin cambios, 0 con errores"
    toby.refresh_from_db()
    assert toby.peso_kg == Decimal("12.00")
