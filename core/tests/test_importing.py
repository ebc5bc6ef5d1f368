"""The shared import machinery: reading files of any old system, parsing cells."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.importing import CsvSource, UnusableFile, choice_parser, parse_bool, parse_date, parse_decimal
from core.importing.importer import Column, ModelImporter
from core.importing.source import normalize_name

TEXT = "documento;nombre\n1X;Iñigo Peña\n2Y;Ángela\n"


def read_all(path):
    with CsvSource(path) as source:
        return source, [(record.line, record.cells) for record in source]


# -- encodings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252")],
)
def test_each_encoding_is_detected_and_decoded(tmp_path, encoding, detected):
    # given a file with ñ and accents in that encoding
    path = tmp_path / "f.csv"
    path.write_bytes(TEXT.encode(encoding))
    # when it is read
    source, records = read_all(path)
    # then the encoding is recognised and the text comes out intact (no BOM in the header)
    assert source.encoding == detected
    assert source.header == ["documento", "nombre"]
    assert records == [(2, ["1X", "Iñigo Peña"]), (3, ["2Y", "Ángela"])]


def test_cp1252_file_whose_first_accent_comes_late_is_not_taken_for_utf8(tmp_path):
    # given a Windows-1252 file that is plain ASCII for far longer than any sample
    path = tmp_path / "f.csv"
    path.write_bytes(("documento;nombre\n" + "1X;Ana\n" * 50_000 + "2Y;Muñoz\n").encode("cp1252"))
    # when it is read
    source, records = read_all(path)
    # then the whole file decides: cp1252, and the late ñ decodes
    assert source.encoding == "cp1252"
    assert records[-1] == (50_002, ["2Y", "Muñoz"])


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"documento;nombre\n1X;Pe\xf1a\x81\n")
    source, records = read_all(path)
    assert source.encoding == "latin-1"
    assert records[0][1] == ["1X", "Peña\x81"]


def _mixed(*parts):
    """Bytes of (text, encoding) parts."""
    return b"".join(text.encode(encoding) for text, encoding in parts)


def _unusable_lines(path):
    with pytest.raises(UnusableFile) as excinfo:
        CsvSource(path)
    return excinfo.value, excinfo.value.lines


def test_a_utf8_file_with_one_windows_1252_line_names_that_line(tmp_path):
    # given a UTF-8 file, long past the first read, with one line saved in Windows-1252
    path = tmp_path / "f.csv"
    path.write_bytes(
        _mixed(
            ("documento;nombre\n1X;Iñigo\n" + "2Y;Ana\n" * 200_000, "utf-8"),
            ("3Z;Peña Muñoz\n", "cp1252"),
            ("4W;Ángela\n", "utf-8"),
        )
    )
    # when it is opened, then it is unusable and the one line that is not UTF-8 is named
    error, lines = _unusable_lines(path)
    assert lines == ["línea 200003: no está en UTF-8 como el resto del fichero (bytes 0xF1)"]
    assert "UTF-8 y Windows-1252" in str(error)


def test_a_windows_1252_file_with_one_utf8_line_names_that_line(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(
        _mixed(("documento;nombre\n1X;Peña\n2Y;Muñoz\n", "cp1252"), ("3Z;Ángela\n", "utf-8"), ("4W;José\n", "cp1252"))
    )
    _error, lines = _unusable_lines(path)
    assert lines == ["línea 4: tiene texto en UTF-8 («Á») y el resto del fichero está en Windows-1252"]


def test_a_line_mixing_both_encodings_is_mixed(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(_mixed(("documento;nombre\n1X;Iñigo ", "utf-8"), ("Peña\n", "cp1252")))
    _error, lines = _unusable_lines(path)
    assert lines == ["línea 2: no está en UTF-8 como el resto del fichero (bytes 0xF1)"]


def test_a_file_with_a_utf8_bom_is_utf8_and_its_other_lines_are_reported(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(_mixed(("documento;nombre\n1X;Ana\n", "utf-8-sig"), ("2Y;Peña\n3Z;Muñoz\n", "cp1252")))
    _error, lines = _unusable_lines(path)
    assert lines == [
        "línea 3: no está en UTF-8 como el resto del fichero (bytes 0xF1)",
        "línea 4: no está en UTF-8 como el resto del fichero (bytes 0xF1)",
    ]


def test_a_mixed_file_reports_its_first_lines_and_counts_them_all(tmp_path):
    # given a UTF-8 file with 30 Windows-1252 lines among 40 UTF-8 ones
    path = tmp_path / "f.csv"
    parts = [("documento;nombre\n", "utf-8")]
    parts += [(f"{n}X;Iñigo\n", "utf-8") for n in range(40)]
    parts += [(f"{n}Y;Peña\n", "cp1252") for n in range(30)]
    path.write_bytes(_mixed(*parts))
    error, lines = _unusable_lines(path)
    # then the first 20 are named, and the message counts the 30
    assert len(lines) == 20
    assert lines[0].startswith("línea 42: ") and lines[-1].startswith("línea 61: ")
    assert "30 líneas" in str(error)


def test_lines_are_counted_as_the_reader_counts_them_cr_and_quoted_newlines_included(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(_mixed(('documento;notas\r1X;"Iñigo\r\ndos"\r\n', "utf-8"), ("2Y;Peña\r", "cp1252")))
    _error, lines = _unusable_lines(path)
    assert [line.split(":")[0] for line in lines] == ["línea 4"]


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "documento\n1X\n".encode("utf-16"), b"documento;nombre\n1X;A\x00\n"],
    ids=["binary", "utf-16", "nul-byte"],
)
def test_undecodable_input_is_unusable(tmp_path, content):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(UnusableFile):
        CsvSource(path)


def test_missing_and_empty_files_are_unusable(tmp_path):
    with pytest.raises(UnusableFile, match="no existe"):
        CsvSource(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_bytes(b"\r\n  \n")
    with pytest.raises(UnusableFile, match="vacío"):
        CsvSource(tmp_path / "empty.csv")


# -- delimiters and lines ----------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_each_delimiter_is_detected(tmp_path, delimiter):
    path = tmp_path / "f.csv"
    path.write_text(f'documento{delimiter}nombre{delimiter}notas\n1X{delimiter}Ana{delimiter}"a, b; c"\n')
    source, records = read_all(path)
    assert source.delimiter == delimiter
    assert records == [(2, ["1X", "Ana", "a, b; c"])]


def test_sniffer_decides_when_the_header_holds_several_candidates(tmp_path):
    # given a ;-delimited file whose header also has a comma inside a quoted name
    path = tmp_path / "f.csv"
    path.write_text('documento;"nombre, apellidos";notas\n1X;"Ana, Pi";x\n2Y;"Eva, Sol";y\n')
    source, records = read_all(path)
    assert source.delimiter == ";"
    assert records[1] == (3, ["2Y", "Eva, Sol", "y"])


def test_line_numbers_are_physical_lines_across_multiline_cells_and_blank_lines(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('documento,notas\r\n1X,"una\r\ndos\r\ntres"\r\n\r\n2Y,b\r\n')
    _source, records = read_all(path)
    assert records == [(2, ["1X", "una\r\ndos\r\ntres"]), (6, ["2Y", "b"])]


def test_a_dos_end_of_file_mark_is_not_a_row(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"documento;nombre\r\n1X;Ana\r\n\x1a")
    _source, records = read_all(path)
    assert records == [(2, ["1X", "Ana"])]


def test_column_names_are_trimmed_case_and_accent_insensitive():
    assert normalize_name("\ufeff  Teléfono ") == "telefono"
    assert normalize_name("FECHA NACIMIENTO") == "fecha_nacimiento"
    assert normalize_name("Documento_Propietario") == "documento_propietario"


class _Importer(ModelImporter):
    columns = (Column("documento", required=True), Column("nombre", required=True), Column("notas"))


def test_header_check_names_the_missing_required_column():
    with pytest.raises(UnusableFile, match="faltan columnas obligatorias: nombre"):
        _Importer.check_header(["DOCUMENTO", "notas"])


def test_header_maps_known_columns_and_ignores_the_rest():
    assert _Importer.check_header([" Nombre", "DOCUMENTO", "otra", "error"]) == ["nombre", "documento", None, None]
    assert _Importer.unknown_columns(["nombre", "documento", "Otra", "error"]) == ["Otra"]


def test_a_column_twice_is_unusable():
    with pytest.raises(UnusableFile, match="dos veces"):
        _Importer.check_header(["documento", "nombre", "Nombre"])


# -- parsers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-03-04", datetime.date(2021, 3, 4)),
        ("04/03/2021", datetime.date(2021, 3, 4)),
        ("4/3/2021", datetime.date(2021, 3, 4)),
    ],
)
def test_dates_iso_and_day_first(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["03-04-2021", "2021/03/04", "31/02/2021", "ayer", "04/03/21"])
def test_other_date_notations_are_rejected(text):
    with pytest.raises(ValidationError, match="AAAA-MM-DD o DD/MM/AAAA"):
        parse_date(text)


@pytest.mark.parametrize("text", ["si", "Sí", "SI", "true", "TRUE", "1", "x", "X"])
def test_true_booleans(text):
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["no", "No", "false", "0"])
def test_false_booleans(text):
    assert parse_bool(text) is False


def test_other_booleans_are_rejected():
    with pytest.raises(ValidationError):
        parse_bool("quizá")


@pytest.mark.parametrize(("text", "expected"), [("4,5", "4.5"), ("4.5", "4.5"), ("12", "12"), (" 0,25", "0.25")])
def test_decimals_with_comma_or_dot(text, expected):
    assert parse_decimal(text.strip()) == Decimal(expected)


@pytest.mark.parametrize("text", ["1.234,5", "4,5,6", "abc", "NaN", "Infinity"])
def test_ambiguous_or_non_numbers_are_rejected(text):
    with pytest.raises(ValidationError):
        parse_decimal(text)


def test_choice_parser_understands_values_labels_and_synonyms_ignoring_case_and_accents():
    parse = choice_parser([("huron", "Hurón"), ("perro", "Perro")], {"canino": "perro"})
    assert parse("HURÓN") == "huron"
    assert parse("Huron") == "huron"
    assert parse("Canino") == "perro"
    assert parse("perro") == "perro"
    # unknown words pass through so the model's own choice validation reports them
    assert parse("Dinosaurio") == "Dinosaurio"
