"""`importar_clientes` applies the model's rule against control characters in names."""

import pytest

from clientes.models import Cliente
from core.importing.testing import run_import, write_csv

pytestmark = pytest.mark.django_db

HEADER = "documento;nombre;apellidos;telefono;email;direccion;ciudad;notas"


def importar(tmp_path, *lines):
    path = write_csv(tmp_path / "clientes.csv", "\n".join([HEADER, *lines]) + "\n")
    return run_import("importar_clientes", path)


def test_a_control_character_in_a_name_rejects_the_row(tmp_path):
    # given a ;-delimited file whose quoted nombre carries a line break and whose apellidos a tab
    # (other control bytes make the whole file unusable, binary, before any row is read)
    lineas = ['1X;"Ana\nBcc: x@evil.com";Pi;611;;;;', "2Y;Eva;Sol\tPaz;612;;;;", "3Z;Leo;Paz;613;;;;"]
    # when it is imported
    result = importar(tmp_path, *lineas)
    # then both rows are rejected on their field and, all-or-nothing, nothing is written
    assert result.code == 1
    mensaje = "No puede contener saltos de línea, tabuladores ni otros caracteres de control."
    # (the quoted line break makes the first row two lines of the file: the second row is on línea 4)
    assert result.error_lines == [f"línea 2: nombre: {mensaje}", f"línea 4: apellidos: {mensaje}"]
    assert not Cliente.objects.exists()


def test_line_breaks_and_tabs_in_notas_are_imported(tmp_path):
    result = importar(tmp_path, '1X;Ana;Pi;611;;;;"Primera línea\n\tsegunda"')

    assert result.code == 0, result.stderr
    assert Cliente.objects.get().notas == "Primera línea\n\tsegunda"
