"""`importar_pacientes` and the clinical record: a weight recorded by a consulta wins."""

from decimal import Decimal

import pytest

from clientes.tests.factories import ClienteFactory
from core.importing.testing import run_import, write_csv
from historial.tests.factories import ConsultaFactory
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "documento_propietario,nombre,especie,raza,sexo,fecha_nacimiento,color,microchip,"
    "esterilizado,peso_kg,alergias,notas"
)
CHIP = "724000000000001"


def importar(*args):
    return run_import("importar_pacientes", *args)


def csv_file(tmp_path, *lines, header=HEADER, encoding="utf-8", name="pacientes.csv"):
    return write_csv(tmp_path / name, "\n".join([header, *lines]) + "\n", encoding=encoding)


def row(**cells):
    """A CSV line with the given cells (the rest blank); owner 1X, Toby the perro by default."""
    values = {"documento_propietario": "1X", "nombre": "Toby", "especie": "perro", **cells}
    return ",".join(f'"{values.get(name, "")}"' for name in HEADER.split(","))


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
