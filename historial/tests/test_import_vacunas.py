"""`manage.py importar_vacunas FILE` as the contract describes it."""

import datetime
from pathlib import Path

import pytest

from clientes.tests.factories import ClienteFactory
from core.importing.testing import run_import, write_csv
from historial.models import Vacuna
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db

EJEMPLOS = Path(__file__).resolve().parents[2] / "docs" / "ejemplos"
HEADER = "microchip,documento_propietario,paciente,vacuna,fecha_aplicacion,proxima_dosis,lote"
CHIP = "724000000000001"


def importar(*args):
    return run_import("importar_vacunas", *args)


def csv_file(tmp_path, *lines, header=HEADER, encoding="utf-8", name="vacunas.csv"):
    return write_csv(tmp_path / name, "\n".join([header, *lines]) + "\n", encoding=encoding)


def row(**cells):
    """A CSV line: Toby's (by microchip) rabies dose of 2025-03-01 unless told otherwise."""
    values = {"microchip": CHIP, "vacuna": "Rabia", "fecha_aplicacion": "01/03/2025", **cells}
    return ",".join(f'"{values.get(name, "")}"' for name in HEADER.split(","))


@pytest.fixture
def toby(db):
    return PacienteFactory(nombre="Toby", microchip=CHIP, propietario=ClienteFactory(documento="1X"))


def test_the_sample_files_import_in_order():
    # given the sample clientes and pacientes
    run_import("importar_clientes", EJEMPLOS / "clientes.csv")
    run_import("importar_pacientes", EJEMPLOS / "pacientes.csv")
    # when the sample vacunas (UTF-8 with BOM, tab-delimited, CRLF) are imported
    result = importar(EJEMPLOS / "vacunas.csv")
    # then every row found its paciente, by microchip or by owner and name
    assert (result.code, result.summary) == (0, "6 creados, 0 actualizados, 0 sin cambios, 0 con errores")
    assert Vacuna.objects.get(nombre="Trivalente felina").paciente.nombre == "Misi"
    assert Vacuna.objects.filter(paciente__nombre="Lola").count() == 2


def test_finds_the_paciente_by_microchip(tmp_path, toby):
    result = importar(csv_file(tmp_path, row(proxima_dosis="2026-03-01", lote="L-1")))
    assert result.code == 0, result.stderr
    vacuna = Vacuna.objects.get()
    assert (vacuna.paciente, vacuna.nombre, vacuna.fecha_aplicacion, vacuna.proxima_dosis, vacuna.lote) == (
        toby,
        "Rabia",
        datetime.date(2025, 3, 1),
        datetime.date(2026, 3, 1),
        "L-1",
    )
    assert vacuna.veterinario is None


def test_finds_the_paciente_by_owner_and_name_case_insensitively(tmp_path, toby):
    line = row(microchip="", documento_propietario="1x", paciente="TOBY")
    assert importar(csv_file(tmp_path, line)).code == 0
    assert Vacuna.objects.get().paciente == toby


def test_a_file_without_microchip_column_uses_owner_and_name(tmp_path, toby):
    path = csv_file(
        tmp_path, "1X;Toby;Rabia;01/03/2025", header="Documento_Propietario;Paciente;Vacuna;Fecha_Aplicacion"
    )
    assert importar(path).code == 0
    assert Vacuna.objects.get().paciente == toby


def test_a_file_with_no_way_to_find_the_paciente_exits_2(tmp_path):
    result = importar(csv_file(tmp_path, "1X,Rabia,01/03/2025", header="documento_propietario,vacuna,fecha_aplicacion"))
    assert result.code == 2
    assert "microchip" in result.stderr and "documento_propietario y paciente" in result.stderr


def test_unknown_paciente_is_reported_with_its_line(tmp_path, toby):
    path = csv_file(
        tmp_path,
        row(),
        row(microchip="724000000000999"),
        row(microchip="", documento_propietario="1X", paciente="Nala"),
        row(microchip="", documento_propietario="1X"),
    )
    result = importar(path)
    assert result.code == 1
    assert result.error_lines == [
        "línea 3: microchip: no existe un paciente con microchip 724000000000999",
        "línea 4: paciente: el cliente 1X no tiene ningún paciente llamado «Nala»",
        "línea 5: paciente: Este campo es obligatorio para identificar un paciente sin microchip.",
    ]
    assert not Vacuna.objects.exists()


def test_two_pacientes_with_the_same_name_ask_for_the_microchip(tmp_path, toby):
    PacienteFactory(nombre="toby", microchip="", propietario=toby.propietario, especie="gato")
    result = importar(csv_file(tmp_path, row(microchip="", documento_propietario="1X", paciente="Toby")))
    assert result.code == 1
    assert "indique el microchip" in result.error_lines[0]


def test_rerunning_the_same_file_changes_nothing_and_the_vaccine_name_is_case_insensitive(tmp_path, toby):
    assert importar(csv_file(tmp_path, row(vacuna="Rabia"))).code == 0
    again = importar(csv_file(tmp_path, row(vacuna="RABIA"), row(vacuna="rabia")))
    assert again.summary == "0 creados, 0 actualizados, 2 sin cambios, 0 con errores"
    assert Vacuna.objects.get().nombre == "Rabia"


def test_the_key_includes_the_application_date(tmp_path, toby):
    result = importar(csv_file(tmp_path, row(fecha_aplicacion="01/03/2024"), row(fecha_aplicacion="2025-03-01")))
    assert result.summary == "2 creados, 0 actualizados, 0 sin cambios, 0 con errores"


def test_a_changed_row_updates_and_a_blank_cell_never_erases(tmp_path, toby):
    importar(csv_file(tmp_path, row(proxima_dosis="01/03/2026", lote="L-1")))
    result = importar(csv_file(tmp_path, row(proxima_dosis="01/04/2026")))
    assert result.summary == "0 creados, 1 actualizados, 0 sin cambios, 0 con errores"
    vacuna = Vacuna.objects.get()
    assert (vacuna.proxima_dosis, vacuna.lote) == (datetime.date(2026, 4, 1), "L-1")


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"fecha_aplicacion": "31/02/2025"}, "línea 2: fecha_aplicacion: fecha no válida «31/02/2025»"),
        ({"fecha_aplicacion": "01/01/2999"}, "línea 2: fecha_aplicacion: "),
        ({"proxima_dosis": "01/01/2025"}, "línea 2: proxima_dosis: La próxima dosis no puede ser anterior"),
        ({"vacuna": ""}, "línea 2: vacuna: Este campo es obligatorio."),
    ],
)
def test_rows_follow_the_same_rules_as_the_api(tmp_path, toby, cells, expected):
    result = importar(csv_file(tmp_path, row(**cells)))
    assert result.code == 1
    assert result.error_lines[0].startswith(expected)


def test_all_or_nothing_then_partial_with_rejected_file_round_trip(tmp_path, toby):
    path = csv_file(tmp_path, row(vacuna="Rabia"), row(vacuna="Moquillo", proxima_dosis="01/01/2020"))
    assert importar(path).code == 1
    assert not Vacuna.objects.exists()
    rechazados = tmp_path / "rechazados.csv"
    partial = importar(path, "--parcial", "--rechazados", rechazados)
    assert (partial.code, partial.summary) == (1, "1 creados, 0 actualizados, 0 sin cambios, 1 con errores")
    text = rechazados.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER + ",error"
    rechazados.write_bytes(text.replace("01/01/2020", "01/03/2026").encode("utf-8-sig"))
    fixed = importar(rechazados)
    assert (fixed.code, fixed.summary) == (0, "1 creados, 0 actualizados, 0 sin cambios, 0 con errores")
    assert set(Vacuna.objects.values_list("nombre", flat=True)) == {"Rabia", "Moquillo"}


def test_dry_run_writes_nothing(tmp_path, toby):
    result = importar(csv_file(tmp_path, row()), "--dry-run")
    assert (result.code, result.summary) == (0, "1 creados, 0 actualizados, 0 sin cambios, 0 con errores")
    assert not Vacuna.objects.exists()


def test_import_is_audited(tmp_path, toby):
    importar(csv_file(tmp_path, row(), name="cartillas.csv"))
    assert list(Vacuna.history.values_list("history_type", "history_change_reason")) == [
        ("+", "importación: cartillas.csv")
    ]


def test_many_rows_cost_a_constant_number_of_queries_per_batch(tmp_path, django_assert_max_num_queries):
    # given 200 pacientes, half with a microchip
    owners = ClienteFactory.create_batch(20)
    pacientes = [
        PacienteFactory(propietario=owners[n % 20], nombre=f"P{n}", microchip=f"{900000000000000 + n}" if n % 2 else "")
        for n in range(200)
    ]
    path = tmp_path / "grande.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER + "\n")
        for n in range(3_000):
            p = pacientes[n % 200]
            fecha = datetime.date(2020, 1, 1) + datetime.timedelta(days=n // 200)
            who = f"{p.microchip},," if p.microchip else f",{p.propietario.documento},{p.nombre}"
            f.write(f"{who},Rabia,{fecha:%d/%m/%Y},,\n")
    # when imported in batches of 1,000: a handful of queries per batch (more on SQLite,
    # whose bound-parameter limit splits each bulk insert into chunks of a few dozen rows)
    with django_assert_max_num_queries(120):
        result = importar(path)
    assert result.summary == "3000 creados, 0 actualizados, 0 sin cambios, 0 con errores"
    # 3 batches x (lookup + existing) + savepoints, and on PostgreSQL the ANALYZE at the start
    with django_assert_max_num_queries(13):
        again = importar(path)
    assert again.summary == "0 creados, 0 actualizados, 3000 sin cambios, 0 con errores"
