"""`manage.py importar_clientes FILE` as the contract describes it."""

from pathlib import Path

import pytest

from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from core.importing.testing import run_import, write_csv

pytestmark = pytest.mark.django_db

EJEMPLOS = Path(__file__).resolve().parents[2] / "docs" / "ejemplos"
HEADER = "documento;nombre;apellidos;telefono;email;direccion;ciudad;notas"


def importar(*args):
    return run_import("importar_clientes", *args)


def csv_file(tmp_path, *lines, header=HEADER, encoding="utf-8", name="clientes.csv"):
    return write_csv(tmp_path / name, "\n".join([header, *lines]) + "\n", encoding=encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_imports_any_supported_encoding_and_delimiter(tmp_path, encoding, delimiter):
    # given a file with ñ and accents in that encoding and delimiter
    path = csv_file(
        tmp_path,
        "12345678Z;Íñigo;Núñez Peña;+34 611 000 001;inigo@correo.test;C/ Alcalá 1;Logroño;",
        encoding=encoding,
    )
    path.write_bytes(path.read_bytes().replace(b";", delimiter.encode()))
    # when it is imported
    result = importar(path)
    # then the client is stored with its accents intact
    assert (result.code, result.summary) == (0, "1 creados, 0 actualizados, 0 sin cambios, 0 con errores")
    cliente = Cliente.objects.get()
    assert (cliente.nombre, cliente.apellidos, cliente.ciudad) == ("Íñigo", "Núñez Peña", "Logroño")
    assert result.stderr == ""


def test_column_names_are_case_insensitive_and_trimmed_in_any_order(tmp_path):
    path = csv_file(
        tmp_path,
        "Madrid;611000001; Pérez ;ana@correo.test;Ana;12345678Z",
        header=" CIUDAD ;Teléfono;APELLIDOS;Email;Nombre;DOCUMENTO",
    )
    result = importar(path)
    assert result.code == 0
    cliente = Cliente.objects.get()
    assert (cliente.documento, cliente.nombre, cliente.apellidos, cliente.telefono, cliente.ciudad) == (
        "12345678Z",
        "Ana",
        "Pérez",
        "+34611000001",  # stored normalised (E.164), as the API stores it
        "Madrid",
    )


def test_the_sample_file_imports(tmp_path):
    result = importar(EJEMPLOS / "clientes.csv")
    assert (result.code, result.summary) == (0, "3 creados, 0 actualizados, 0 sin cambios, 0 con errores")
    assert Cliente.objects.get(documento="X1234567L").nombre == "Íñigo"
    assert Cliente.objects.get(documento="87654321X").notas == "Llamar por la tarde; nunca antes de las 16:00"


def test_rerunning_the_same_file_changes_nothing(tmp_path):
    # given a file already imported
    path = csv_file(tmp_path, "1X;Ana;Pi;611;;;;", "2Y;Eva;Sol;612;eva@correo.test;;Vigo;nota")
    importar(path)
    # when it is imported again
    result = importar(path)
    # then every row is reported unchanged and nothing is written
    assert (result.code, result.summary) == (0, "0 creados, 0 actualizados, 2 sin cambios, 0 con errores")
    assert Cliente.objects.count() == 2
    assert Cliente.history.count() == 2


def test_changed_rows_are_updated_and_the_key_matches_case_insensitively(tmp_path):
    # given a stored client
    ClienteFactory(documento="12345678Z", nombre="Ana", telefono="611", ciudad="Madrid")
    # when a file brings a new phone under the same documento in lower case
    result = importar(csv_file(tmp_path, "12345678z;Ana;Pi;699 999 999;;;Madrid;"))
    # then the client is updated, not duplicated, and keeps its documento as stored
    assert (result.code, result.summary) == (0, "0 creados, 1 actualizados, 0 sin cambios, 0 con errores")
    cliente = Cliente.objects.get()
    assert (cliente.documento, cliente.telefono, cliente.apellidos) == ("12345678Z", "+34699999999", "Pi")


def test_a_blank_cell_never_erases_a_stored_value(tmp_path):
    ClienteFactory(documento="1X", email="ana@correo.test", ciudad="Madrid", notas="VIP", telefono="611")
    result = importar(csv_file(tmp_path, "1X;Ana;Pi;;;;;"))
    assert result.code == 0
    cliente = Cliente.objects.get()
    assert (cliente.email, cliente.ciudad, cliente.notas, cliente.telefono) == (
        "ana@correo.test",
        "Madrid",
        "VIP",
        "611",
    )


def test_a_key_repeated_in_the_file_applies_the_later_row_on_top(tmp_path):
    path = csv_file(tmp_path, "1X;Ana;Pi;611;;;Madrid;", "1x;Ana;Pi;;;;Vigo;nota")
    result = importar(path)
    assert (result.code, result.summary) == (0, "1 creados, 1 actualizados, 0 sin cambios, 0 con errores")
    cliente = Cliente.objects.get()
    assert (cliente.telefono, cliente.ciudad, cliente.notas) == ("611", "Vigo", "nota")


def test_one_bad_row_means_nothing_is_written(tmp_path):
    # given a file with two good rows and a bad email on line 3
    ClienteFactory(documento="1X", telefono="611")
    path = csv_file(tmp_path, "1X;Ana;Pi;699;;;;", "2Y;Eva;Sol;612;no-es-un-email;;;", "3Z;Leo;Paz;613;;;;")
    # when it is imported without --parcial
    result = importar(path)
    # then exit 1, the bad row is reported with its line and field, and nothing changed
    assert result.code == 1
    assert result.error_lines == ["línea 3: email: Introduzca una dirección de correo electrónico válida."]
    assert result.summary.endswith("1 con errores")
    assert list(Cliente.objects.values_list("documento", "telefono")) == [("1X", "611")]
    assert "no se ha importado nada" in result.stderr


def test_a_new_client_missing_a_required_value_follows_the_model_rule(tmp_path):
    result = importar(csv_file(tmp_path, "1X;Ana;;611;;;;"))
    assert result.code == 1
    assert result.error_lines == ["línea 2: apellidos: Este campo no puede estar vacío."]


def test_a_row_without_documento_is_rejected(tmp_path):
    result = importar(csv_file(tmp_path, ";Ana;Pi;611;;;;"))
    assert result.error_lines == ["línea 2: documento: Este campo es obligatorio."]


def test_model_field_rules_apply_too(tmp_path):
    result = importar(csv_file(tmp_path, f"{'9' * 31};Ana;Pi;611;;;;"))
    assert result.code == 1
    assert result.error_lines[0].startswith("línea 2: documento: Asegúrese de que este valor tenga menos de 30")


def test_partial_imports_the_valid_rows_and_the_rejected_file_round_trips(tmp_path):
    # given a ;-delimited file with two bad rows among good ones
    path = csv_file(
        tmp_path,
        "1X;Ana;Pi;611;;;;",
        "2Y;Eva;Sol;612;mal@;;;",
        "3Z;Leo;;613;;;;",
        "4W;Noa;Gil;614;;;;",
    )
    rechazados = tmp_path / "rechazados.csv"
    # when it is imported with --parcial --rechazados
    result = importar(path, "--parcial", "--rechazados", rechazados)
    # then the good rows are in, exit 1, and the rejected file has header + error, BOM, same delimiter
    assert (result.code, result.summary) == (1, "2 creados, 0 actualizados, 0 sin cambios, 2 con errores")
    assert set(Cliente.objects.values_list("documento", flat=True)) == {"1X", "4W"}
    raw = rechazados.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER + ";error"
    assert lines[1].startswith("2Y;Eva;Sol;612;mal@;;;;email: ")
    assert lines[2] == "3Z;Leo;;613;;;;;apellidos: Este campo no puede estar vacío."

    # when the cells are fixed (the error column left in) and the file imported as is
    fixed = raw.decode("utf-8-sig").replace("mal@", "eva@correo.test").replace("3Z;Leo;;", "3Z;Leo;Paz;")
    rechazados.write_bytes(fixed.encode("utf-8-sig"))
    again = importar(rechazados)
    # then the fixed rows import
    assert (again.code, again.summary) == (0, "2 creados, 0 actualizados, 0 sin cambios, 0 con errores")
    assert Cliente.objects.get(documento="3Z").apellidos == "Paz"
    assert "desconocida" not in again.stderr


def test_rejected_file_keeps_the_inputs_delimiter(tmp_path):
    path = csv_file(tmp_path, "1X\tAna\tPi\t611\tmal@\t\t\t", header=HEADER.replace(";", "\t"))
    rechazados = tmp_path / "r.tsv"
    importar(path, "--rechazados", rechazados)
    assert (
        rechazados.read_text(encoding="utf-8-sig").splitlines()[1].startswith("1X\tAna\tPi\t611\tmal@\t\t\t\temail: ")
    )


def test_dry_run_writes_nothing_but_reports_the_same_summary(tmp_path):
    ClienteFactory(documento="1X", telefono="611")
    path = csv_file(tmp_path, "1X;Ana;Pi;699;;;;", "2Y;Eva;Sol;612;;;;")
    result = importar(path, "--dry-run")
    assert (result.code, result.summary) == (0, "1 creados, 1 actualizados, 0 sin cambios, 0 con errores")
    assert list(Cliente.objects.values_list("documento", "telefono")) == [("1X", "611")]
    assert Cliente.history.count() == 1  # only the factory's


def test_dry_run_with_bad_rows_exits_1(tmp_path):
    result = importar(csv_file(tmp_path, "1X;Ana;Pi;611;mal@;;;"), "--dry-run", "--parcial")
    assert result.code == 1
    assert not Cliente.objects.exists()


def test_a_row_with_extra_cells_is_rejected_not_truncated(tmp_path):
    result = importar(csv_file(tmp_path, "1X;Ana;Pi;611;;;;;sobra"))
    assert result.code == 1
    assert result.error_lines == ["línea 2: fila: tiene 9 columnas y la cabecera 8 (sobra: sobra)"]


def test_unknown_columns_are_ignored_with_a_warning(tmp_path):
    path = csv_file(tmp_path, "1X;Ana;Pi;611;01/01/2001", header="documento;nombre;apellidos;telefono;fecha_alta")
    result = importar(path)
    assert result.code == 0
    assert "se ignora la columna desconocida «fecha_alta»" in result.stderr


# -- unusable input: exit 2 ------------------------------------------------------------


def test_missing_file_exits_2(tmp_path):
    result = importar(tmp_path / "no-existe.csv")
    assert result.code == 2
    assert "no existe el fichero" in result.stderr


def test_missing_required_column_exits_2_naming_it(tmp_path):
    result = importar(csv_file(tmp_path, "1X;Ana;Pi", header="documento;nombre;apellidos"))
    assert result.code == 2
    assert "faltan columnas obligatorias: telefono" in result.stderr
    assert not Cliente.objects.exists()


def test_undecodable_bytes_exit_2(tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_bytes(HEADER.encode() + b"\n1X;Ana\x00;Pi;611\n")
    result = importar(path)
    assert result.code == 2
    assert not Cliente.objects.exists()


def test_exit_0_when_everything_imports(tmp_path):
    assert importar(csv_file(tmp_path, "1X;Ana;Pi;611")).code == 0


# -- audit and performance ----------------------------------------------------------------


def test_import_writes_history_with_the_file_as_reason(tmp_path):
    ClienteFactory(documento="1X", telefono="611")
    importar(csv_file(tmp_path, "1X;Ana;Pi;699;;;;", "2Y;Eva;Sol;612;;;;", name="alta.csv"))
    creados = Cliente.history.filter(history_type="+", history_change_reason="importación: alta.csv")
    actualizados = Cliente.history.filter(history_type="~", history_change_reason="importación: alta.csv")
    assert list(creados.values_list("documento", flat=True)) == ["2Y"]
    assert list(actualizados.values_list("documento", "telefono")) == [("1X", "699")]


def test_20000_rows_import_with_a_bounded_number_of_queries(tmp_path, django_assert_max_num_queries):
    # given a file of 20,000 rows
    path = tmp_path / "grande.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER + "\n")
        for n in range(20_000):
            f.write(f"{n:08d}A;Nombre{n};Apellido{n};+34 6{n:08d};c{n}@correo.test;Calle {n};Madrid;\n")
    # when it is imported: far fewer queries than rows (SQLite caps the values of one INSERT,
    # so a wide table like the history takes ~40 rows an INSERT; each batch also writes its events)
    with django_assert_max_num_queries(1_200):
        result = importar(path, "--batch-size", "2000")
    assert result.summary == "20000 creados, 0 actualizados, 0 sin cambios, 0 con errores"
    assert Cliente.history.count() == 20_000
    # and a re-run is one lookup per batch
    with django_assert_max_num_queries(20):
        again = importar(path, "--batch-size", "2000")
    assert again.summary == "0 creados, 0 actualizados, 20000 sin cambios, 0 con errores"


def test_a_rejected_file_rejected_again_keeps_a_single_error_column(tmp_path):
    first = tmp_path / "r1.csv"
    importar(csv_file(tmp_path, "1X;Ana;Pi;611;mal@;;;"), "--rechazados", first)
    second = tmp_path / "r2.csv"
    result = importar(first, "--rechazados", second)
    assert result.code == 1
    lines = second.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == HEADER + ";error"
    assert lines[1].count("email: ") == 1


def test_unwritable_rejected_file_exits_2(tmp_path):
    result = importar(csv_file(tmp_path, "1X;Ana;Pi;611"), "--rechazados", tmp_path / "no" / "existe.csv")
    assert result.code == 2
    assert not Cliente.objects.exists()


# -- the --rechazados file never clobbers a file -------------------------------------------


def _same_paths(tmp_path, path):
    """`path` spelt other ways: relative through `..`, a symlink and a hard link to it."""
    (tmp_path / "otro").mkdir()
    symlink, hardlink = tmp_path / "enlace.csv", tmp_path / "duro.csv"
    symlink.symlink_to(path)
    hardlink.hardlink_to(path)
    return [tmp_path / "otro" / ".." / path.name, symlink, hardlink]


@pytest.mark.parametrize("options", [(), ("--sobrescribir",), ("--dry-run",), ("--parcial", "--sobrescribir")])
def test_the_rejected_file_may_never_be_the_input_file(tmp_path, options):
    # given a file with a bad row, and --rechazados naming that same file in other spellings
    path = csv_file(tmp_path, "1X;Ana;Pi;611;;;;", "2Y;Eva;Sol;612;mal@;;;")
    original = path.read_bytes()
    for same in _same_paths(tmp_path, path):
        # when it is imported
        result = importar(path, "--rechazados", same, *options)
        # then exit 2, a clear message, the input intact and nothing imported
        assert result.code == 2, (same, result.stderr)
        assert "es el fichero de entrada" in result.stderr
        assert result.summary == ""
        assert path.read_bytes() == original
    assert not Cliente.objects.exists()


@pytest.mark.parametrize("options", [(), ("--dry-run",), ("--parcial",)])
def test_an_existing_rejected_file_is_not_overwritten_without_sobrescribir(tmp_path, options):
    # given a file already at the --rechazados path
    rechazados = tmp_path / "rechazados.csv"
    rechazados.write_text("datos de ayer\n")
    path = csv_file(tmp_path, "1X;Ana;Pi;611;;;;", "2Y;Eva;Sol;612;mal@;;;")
    # when a file is imported with --rechazados pointing at it
    result = importar(path, "--rechazados", rechazados, *options)
    # then exit 2, the message names the way out, the file is intact and nothing is imported
    assert result.code == 2
    assert "ya existe" in result.stderr and "--sobrescribir" in result.stderr
    assert rechazados.read_text() == "datos de ayer\n"
    assert not Cliente.objects.exists()


def test_sobrescribir_replaces_an_existing_rejected_file(tmp_path):
    rechazados = tmp_path / "rechazados.csv"
    rechazados.write_text("datos de ayer\n")
    path = csv_file(tmp_path, "1X;Ana;Pi;611;;;;", "2Y;Eva;Sol;612;mal@;;;")
    result = importar(path, "--parcial", "--rechazados", rechazados, "--sobrescribir")
    assert (result.code, result.summary) == (1, "1 creados, 0 actualizados, 0 sin cambios, 1 con errores")
    lines = rechazados.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == HEADER + ";error"
    assert lines[1].startswith("2Y;Eva;Sol;612;mal@;")
    assert len(lines) == 2


# -- a failed all-or-nothing import says it wrote nothing ------------------------------------


def test_a_failed_all_or_nothing_import_counts_nothing_as_written(tmp_path):
    # given a stored client, and a file that updates it, creates one and has a bad row
    ClienteFactory(documento="1X", telefono="611")
    path = csv_file(tmp_path, "1X;Ana;Pi;699;;;;", "2Y;Eva;Sol;612;mal@;;;", "3Z;Leo;Paz;613;;;;")
    # when it is imported without --parcial
    result = importar(path)
    # then the summary counts what was written, nothing, and stderr says the valid rows wait
    assert (result.code, result.summary) == (1, "0 creados, 0 actualizados, 0 sin cambios, 1 con errores")
    assert "no se ha importado nada" in result.stderr
    assert "2 filas válidas" in result.stderr
    assert list(Cliente.objects.values_list("documento", "telefono")) == [("1X", "611")]


def test_a_dry_run_predicts_the_failed_all_or_nothing_import(tmp_path):
    # given the same kind of file, simulated without --parcial
    ClienteFactory(documento="1X", telefono="611")
    path = csv_file(tmp_path, "1X;Ana;Pi;699;;;;", "2Y;Eva;Sol;612;mal@;;;", "3Z;Leo;Paz;613;;;;")
    result = importar(path, "--dry-run")
    # then it reports what the real run would write (nothing) and that nothing was saved
    assert (result.code, result.summary) == (1, "0 creados, 0 actualizados, 0 sin cambios, 1 con errores")
    assert "no se ha guardado nada" in result.stderr
    assert "2 filas válidas" in result.stderr
    # and with --parcial it reports what that run would write
    parcial = importar(path, "--dry-run", "--parcial")
    assert (parcial.code, parcial.summary) == (1, "1 creados, 1 actualizados, 0 sin cambios, 1 con errores")
    assert "no se ha guardado nada" in parcial.stderr
    assert list(Cliente.objects.values_list("documento", "telefono")) == [("1X", "611")]


# -- a file in two encodings ---------------------------------------------------------------------


def test_a_utf8_file_with_a_windows_1252_row_is_unusable_naming_the_row(tmp_path):
    # given a UTF-8 file into which one row was pasted from a Windows-1252 export
    path = tmp_path / "clientes.csv"
    path.write_bytes(
        HEADER.encode()
        + "\n1X;Íñigo;Núñez;611;;;Logroño;\n".encode()
        + "2Y;José;Peña;612;;;;\n".encode("cp1252")
        + "3Z;Ana;Gómez;613;;;;\n".encode()
    )
    # when it is imported
    result = importar(path)
    # then exit 2, the odd line is reported, and nothing is stored (no mojibake)
    assert result.code == 2
    assert result.error_lines == ["línea 3: no está en UTF-8 como el resto del fichero (bytes 0xE9, 0xF1)"]
    assert result.summary == ""
    assert not Cliente.objects.exists()


def test_a_run_that_rejects_nothing_leaves_no_rechazados_file_and_can_run_again(tmp_path):
    # given a clean file, imported with --rechazados
    path = csv_file(tmp_path, "1X;Ana;Pi;611;ana@correo.test;;;")
    rechazados = tmp_path / "rechazados.csv"
    first = importar(path, "--rechazados", rechazados)

    # when the same command line runs again
    again = importar(path, "--rechazados", rechazados)

    # then no file was created, and the re-run is the idempotent one the contract promises
    assert first.code == 0 and again.code == 0
    assert not rechazados.exists()
    assert again.summary == "0 creados, 0 actualizados, 1 sin cambios, 0 con errores"


# --- contact channels (contract v1.1) ------------------------------------------------------

CANALES = "documento;nombre;apellidos;telefono;movil;acepta_email;acepta_sms;acepta_whatsapp;canal_preferido"


def test_phones_are_imported_normalised_and_unparseable_ones_as_typed(tmp_path):
    # given a file with phones written in several ways, one that is no valid number
    path = csv_file(
        tmp_path,
        "1X;Ana;Pi;600-111-222;0034 611 222 333;;sí;;SMS",
        "2Y;Eva;Sol;91 555 12 ext 3;;no;;x;whatsapp",
        header=CANALES,
    )
    # when it is imported
    result = importar(path)
    # then phones are stored as the API stores them, consents and channel as given
    assert (result.code, result.summary) == (0, "2 creados, 0 actualizados, 0 sin cambios, 0 con errores")
    ana, eva = Cliente.objects.order_by("documento")
    assert (ana.telefono, ana.movil) == ("+34600111222", "+34611222333")
    assert (ana.acepta_email, ana.acepta_sms, ana.acepta_whatsapp, ana.canal_preferido) == (True, True, False, "sms")
    assert (eva.telefono, eva.movil) == ("91 555 12 ext 3", "")
    assert (eva.acepta_email, eva.acepta_sms, eva.acepta_whatsapp, eva.canal_preferido) == (
        False,
        False,
        True,
        "whatsapp",
    )


def test_the_same_number_written_another_way_is_sin_cambios(tmp_path):
    # given a client stored with its phone normalised
    ClienteFactory(documento="1X", nombre="Ana", apellidos="Pi", telefono="+34600111222", email="", ciudad="")
    # when a file brings the same number written the local way
    result = importar(csv_file(tmp_path, "1X;Ana;Pi;600 111 222;;;;"))
    # then the row is unchanged and nothing is written
    assert (result.code, result.summary) == (0, "0 creados, 0 actualizados, 1 sin cambios, 0 con errores")


def test_an_invalid_movil_rejects_the_row_naming_the_field(tmp_path):
    result = importar(csv_file(tmp_path, "1X;Ana;Pi;600111222;915551234;;;;", header=CANALES))

    assert result.code == 1
    assert result.summary.endswith("1 con errores")
    assert any("movil" in line for line in result.error_lines)
    assert not Cliente.objects.exists()
