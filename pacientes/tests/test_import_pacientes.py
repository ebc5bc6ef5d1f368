"""`manage.py importar_pacientes FILE` as the contract describes it."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from clientes.tests.factories import ClienteFactory
from core.importing.testing import run_import, write_csv
from pacientes.models import Especie, Paciente, Sexo
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db

EJEMPLOS = Path(__file__).resolve().parents[2] / "docs" / "ejemplos"
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


def test_the_sample_file_imports_with_its_synonyms():
    # given the owners of the sample file
    run_import("importar_clientes", EJEMPLOS / "clientes.csv")
    # when the sample pacientes are imported
    result = importar(EJEMPLOS / "pacientes.csv")
    # then every synonym and notation was understood
    assert (result.code, result.summary) == (0, "5 creados, 0 actualizados, 0 sin cambios, 0 con errores")
    toby = Paciente.objects.get(microchip="724098100000001")
    assert (toby.especie, toby.sexo, toby.fecha_nacimiento, toby.esterilizado, toby.peso_kg) == (
        Especie.PERRO,
        Sexo.MACHO,
        datetime.date(2019, 3, 15),
        True,
        Decimal("12.5"),
    )
    assert Paciente.objects.get(nombre="Kiwi").propietario.documento == "X1234567L"  # owner key case-insensitive
    assert Paciente.objects.get(nombre="Lola").especie == Especie.HURON


@pytest.mark.parametrize(
    ("especie", "expected"),
    [
        ("Canino", Especie.PERRO),
        ("perra", Especie.PERRO),
        ("FELINO", Especie.GATO),
        ("gata", Especie.GATO),
        ("Pájaro", Especie.AVE),
        ("conejos", Especie.CONEJO),
        ("hurón", Especie.HURON),
        ("Huron", Especie.HURON),
        ("hámster", Especie.ROEDOR),
        ("tortuga", Especie.REPTIL),
        ("Otro", Especie.OTRO),
    ],
)
def test_especie_synonyms(tmp_path, owner, especie, expected):
    result = importar(csv_file(tmp_path, row(especie=especie)))
    assert result.code == 0, result.stderr
    assert Paciente.objects.get().especie == expected


@pytest.mark.parametrize(
    ("sexo", "expected"),
    [
        ("M", Sexo.MACHO),
        ("h", Sexo.HEMBRA),
        ("Macho", Sexo.MACHO),
        ("HEMBRA", Sexo.HEMBRA),
        ("desconocido", Sexo.DESCONOCIDO),
    ],
)
def test_sexo_synonyms(tmp_path, owner, sexo, expected):
    assert importar(csv_file(tmp_path, row(sexo=sexo))).code == 0
    assert Paciente.objects.get().sexo == expected


@pytest.mark.parametrize("fecha", ["2020-02-29", "29/02/2020"])
def test_both_date_formats(tmp_path, owner, fecha):
    assert importar(csv_file(tmp_path, row(fecha_nacimiento=fecha))).code == 0
    assert Paciente.objects.get().fecha_nacimiento == datetime.date(2020, 2, 29)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("sí", True),
        ("SI", True),
        ("x", True),
        ("1", True),
        ("true", True),
        ("no", False),
        ("0", False),
        ("false", False),
    ],
)
def test_booleans(tmp_path, owner, cell, expected):
    assert importar(csv_file(tmp_path, row(esterilizado=cell))).code == 0
    assert Paciente.objects.get().esterilizado is expected


def test_blank_boolean_means_the_default_on_create_and_unchanged_on_update(tmp_path, owner):
    importar(csv_file(tmp_path, row(microchip=CHIP)))
    assert Paciente.objects.get().esterilizado is False
    Paciente.objects.update(esterilizado=True)
    result = importar(csv_file(tmp_path, row(microchip=CHIP)))
    assert result.summary == "0 creados, 0 actualizados, 1 sin cambios, 0 con errores"
    assert Paciente.objects.get().esterilizado is True


@pytest.mark.parametrize(
    ("peso", "expected"), [("4,5", Decimal("4.5")), ("4.5", Decimal("4.5")), ("12", Decimal("12"))]
)
def test_weight_with_comma_or_dot(tmp_path, owner, peso, expected):
    assert importar(csv_file(tmp_path, row(peso_kg=peso))).code == 0
    assert Paciente.objects.get().peso_kg == expected


def test_tab_delimited_cp1252_file(tmp_path, owner):
    path = csv_file(
        tmp_path,
        row(nombre="Ñoño", raza="Pequinés").replace(",", "\t"),
        header=HEADER.replace(",", "\t"),
        encoding="cp1252",
    )
    assert importar(path).code == 0
    assert Paciente.objects.get().raza == "Pequinés"


# -- keys and upserts ---------------------------------------------------------------------


def test_rerunning_the_same_file_changes_nothing(tmp_path, owner):
    path = csv_file(
        tmp_path,
        row(microchip=CHIP, peso_kg="4,5", sexo="M"),
        row(nombre="Misi", especie="felino", fecha_nacimiento="01/02/2020"),
    )
    assert importar(path).summary == "2 creados, 0 actualizados, 0 sin cambios, 0 con errores"
    result = importar(path)
    assert (result.code, result.summary) == (0, "0 creados, 0 actualizados, 2 sin cambios, 0 con errores")
    assert Paciente.history.count() == 2


def test_microchip_is_the_key_and_the_owner_can_change(tmp_path, owner):
    # given a paciente with that microchip belonging to someone else
    paciente = PacienteFactory(microchip=CHIP, nombre="Toby")
    # when the file lists it under owner 1X with a new colour
    result = importar(csv_file(tmp_path, row(microchip=CHIP, color="Negro")))
    # then the same paciente is updated
    assert result.summary == "0 creados, 1 actualizados, 0 sin cambios, 0 con errores"
    paciente.refresh_from_db()
    assert (paciente.propietario, paciente.color) == (owner, "Negro")


def test_without_microchip_the_key_is_owner_name_and_especie_case_insensitive(tmp_path, owner):
    paciente = PacienteFactory(propietario=owner, nombre="Toby", especie=Especie.PERRO, microchip="", color="")
    otro_dueno = PacienteFactory(nombre="Toby", especie=Especie.PERRO, microchip="")
    gato = PacienteFactory(propietario=owner, nombre="Toby", especie=Especie.GATO, microchip="")
    result = importar(csv_file(tmp_path, row(nombre="TOBY", especie="canino", color="Negro")))
    assert result.summary == "0 creados, 1 actualizados, 0 sin cambios, 0 con errores"
    paciente.refresh_from_db()
    assert (paciente.nombre, paciente.color) == ("Toby", "Negro")  # the stored spelling of the key stays
    otro_dueno.refresh_from_db()
    gato.refresh_from_db()
    assert (otro_dueno.color, gato.color) != ("Negro", "Negro")


def test_a_new_microchip_is_added_to_the_same_animal_without_one(tmp_path, owner):
    paciente = PacienteFactory(propietario=owner, nombre="Toby", especie=Especie.PERRO, microchip="")
    result = importar(csv_file(tmp_path, row(microchip=CHIP)))
    assert result.summary == "0 creados, 1 actualizados, 0 sin cambios, 0 con errores"
    paciente.refresh_from_db()
    assert paciente.microchip == CHIP


def test_two_stored_pacientes_matching_a_row_is_reported(tmp_path, owner):
    PacienteFactory.create_batch(2, propietario=owner, nombre="Toby", especie=Especie.PERRO, microchip="")
    result = importar(csv_file(tmp_path, row(color="Negro")))
    assert result.code == 1
    assert result.error_lines == [
        "línea 2: nombre: hay varios pacientes «Toby» (perro) de este propietario; indique el microchip"
    ]


def test_a_blank_cell_never_erases_a_stored_value(tmp_path, owner):
    PacienteFactory(
        propietario=owner,
        microchip=CHIP,
        raza="Beagle",
        peso_kg=Decimal("9.5"),
        fecha_nacimiento=datetime.date(2019, 1, 1),
    )
    result = importar(csv_file(tmp_path, row(microchip=CHIP, nombre="", especie="")))
    assert result.code == 0
    paciente = Paciente.objects.get()
    assert (paciente.raza, paciente.peso_kg, paciente.fecha_nacimiento) == (
        "Beagle",
        Decimal("9.5"),
        datetime.date(2019, 1, 1),
    )


def test_a_repeated_key_in_a_later_batch_updates_the_earlier_row(tmp_path, owner):
    path = csv_file(
        tmp_path, row(microchip=CHIP, color="Negro"), row(nombre="Misi"), row(microchip=CHIP, raza="Beagle")
    )
    result = importar(path, "--batch-size", "2")
    assert result.summary == "2 creados, 1 actualizados, 0 sin cambios, 0 con errores"
    toby = Paciente.objects.get(microchip=CHIP)
    assert (toby.color, toby.raza) == ("Negro", "Beagle")


# -- rejected rows ------------------------------------------------------------------------


def test_orphan_paciente_is_reported_with_its_line(tmp_path, owner):
    result = importar(csv_file(tmp_path, row(), row(documento_propietario="99999999R", nombre="Nala")))
    assert result.code == 1
    assert result.error_lines == ["línea 3: documento_propietario: no existe un cliente con documento 99999999R"]
    assert not Paciente.objects.exists()


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"microchip": "12345"}, "línea 2: microchip: El microchip debe tener exactamente 15 dígitos."),
        ({"especie": "dinosaurio"}, "línea 2: especie: Valor 'dinosaurio' no es una opción válida."),
        ({"sexo": "quizá"}, "línea 2: sexo: Valor 'quizá' no es una opción válida."),
        ({"peso_kg": "-1"}, "línea 2: peso_kg: Debe ser mayor que 0."),
        ({"peso_kg": "mucho"}, "línea 2: peso_kg: número no válido «mucho»"),
        (
            {"fecha_nacimiento": "2020-13-01"},
            "línea 2: fecha_nacimiento: fecha no válida «2020-13-01»: use AAAA-MM-DD o DD/MM/AAAA",
        ),
        (
            {"esterilizado": "quizá"},
            "línea 2: esterilizado: valor no válido «quizá»: use sí, no, true, false, 1, 0 o x",
        ),
    ],
    ids=["microchip", "especie", "sexo", "peso-negativo", "peso-texto", "fecha", "booleano"],
)
def test_validation_errors_follow_the_model_rules(tmp_path, owner, cells, expected):
    result = importar(csv_file(tmp_path, row(**cells)))
    assert result.code == 1
    assert result.error_lines == [expected]


def test_future_birth_date_is_rejected_by_the_model_rule(tmp_path, owner):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    result = importar(csv_file(tmp_path, row(fecha_nacimiento=tomorrow.strftime("%d/%m/%Y"))))
    assert result.error_lines == ["línea 2: fecha_nacimiento: La fecha no puede estar en el futuro."]


def test_without_microchip_nombre_and_especie_identify_the_paciente(tmp_path, owner):
    result = importar(csv_file(tmp_path, row(especie="")))
    assert result.error_lines == [
        "línea 2: especie: Este campo es obligatorio para identificar un paciente sin microchip."
    ]


def test_a_rejected_update_leaves_the_earlier_row_of_the_file_in_place(tmp_path, owner):
    path = csv_file(tmp_path, row(microchip=CHIP, color="Negro"), row(microchip=CHIP, peso_kg="-3", color="Rojo"))
    result = importar(path, "--parcial")
    assert result.summary == "1 creados, 0 actualizados, 0 sin cambios, 1 con errores"
    assert Paciente.objects.get().color == "Negro"


def test_all_or_nothing_then_partial_with_rejected_file_round_trip(tmp_path, owner):
    # given a file with an orphan and a bad microchip among good rows
    path = csv_file(
        tmp_path,
        row(nombre="Toby", microchip=CHIP),
        row(documento_propietario="2Y", nombre="Nala"),
        row(nombre="Misi", especie="gato", microchip="72400000000000X"),
    )
    # when imported all-or-nothing: nothing is written, exit 1, both errors reported
    first = importar(path)
    assert first.code == 1
    assert [line.split(":")[0] for line in first.error_lines] == ["línea 3", "línea 4"]
    assert not Paciente.objects.exists()
    # when imported --parcial with --rechazados: the good row is in
    rechazados = tmp_path / "rechazados.csv"
    second = importar(path, "--parcial", "--rechazados", rechazados)
    assert (second.code, second.summary) == (1, "1 creados, 0 actualizados, 0 sin cambios, 2 con errores")
    text = rechazados.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    lines = text.decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER + ",error"
    assert len(lines) == 3
    # when the rejected cells are fixed and the file imported as is
    ClienteFactory(documento="2Y")
    rechazados.write_bytes(text.replace(b"72400000000000X", b"724000000000002"))
    third = importar(rechazados)
    assert (third.code, third.summary) == (0, "2 creados, 0 actualizados, 0 sin cambios, 0 con errores")
    assert Paciente.objects.count() == 3


def test_dry_run_writes_nothing(tmp_path, owner):
    result = importar(csv_file(tmp_path, row()), "--dry-run")
    assert (result.code, result.summary) == (0, "1 creados, 0 actualizados, 0 sin cambios, 0 con errores")
    assert not Paciente.objects.exists()
    assert not Paciente.history.exists()


def test_missing_required_column_exits_2(tmp_path):
    result = importar(csv_file(tmp_path, "1X,Toby", header="documento_propietario,nombre"))
    assert result.code == 2
    assert "faltan columnas obligatorias: especie" in result.stderr


def test_import_is_audited(tmp_path, owner):
    importar(csv_file(tmp_path, row(microchip=CHIP), name="lote.csv"))
    importar(csv_file(tmp_path, row(microchip=CHIP, color="Negro"), name="lote2.csv"))
    history = list(
        Paciente.history.order_by("history_id").values_list("history_type", "history_change_reason", "color")
    )
    assert history == [("+", "importación: lote.csv", ""), ("~", "importación: lote2.csv", "Negro")]


def test_many_rows_cost_a_constant_number_of_queries_per_batch(tmp_path, django_assert_max_num_queries):
    # given 300 owners and 3,000 pacientes (half with microchip), some already stored
    owners = ClienteFactory.create_batch(300)
    PacienteFactory(propietario=owners[0], nombre="P0", microchip="")
    path = tmp_path / "grande.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER + "\n")
        for n in range(3_000):
            chip = f"{900000000000000 + n}" if n % 2 else ""
            f.write(f'{owners[n % 300].documento},P{n},canino,,M,01/01/2020,,{chip},x,"4,5",,\n')
    # when imported in batches of 1,000, then a handful of queries per batch (owners, lookup, inserts)
    with django_assert_max_num_queries(200):
        result = importar(path)
    assert result.summary == "2999 creados, 1 actualizados, 0 sin cambios, 0 con errores"
    # 3 batches x (lookup + existing) + savepoints, and on PostgreSQL the ANALYZE at the start
    with django_assert_max_num_queries(13):
        again = importar(path)
    assert again.summary == "0 creados, 0 actualizados, 3000 sin cambios, 0 con errores"
