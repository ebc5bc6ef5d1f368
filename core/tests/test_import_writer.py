"""core.importing.writer and .statistics: how an import writes its new rows (COPY on
PostgreSQL, with their audit rows) and keeps the planner's statistics current."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.forms.models import model_to_dict
from simple_history.utils import bulk_create_with_history

from accounts.models import Rol
from accounts.tests.factories import AdminFactory
from api import pagination
from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from core.importing.parsers import fold
from core.importing.statistics import GrowingTable, analyze
from core.importing.testing import run_import, write_csv
from core.importing.writer import insert_with_history
from pacientes.models import Paciente

pytestmark = pytest.mark.django_db

HISTORY_OWN = {"history_id", "history_date", "id", "creado_en", "actualizado_en"}


def _pacientes(owner, prefix, chip):
    """New pacientes with every kind of column: text, blank, None, date, decimal, bool, FK."""
    return [
        Paciente(propietario=owner, nombre=f"{prefix}Nala", especie="gato", microchip=chip),
        Paciente(
            propietario=owner,
            nombre=f"{prefix}Thor",
            especie="perro",
            raza="Mastín",
            fecha_nacimiento=datetime.date(2019, 4, 1),
            peso_kg=Decimal("31.40"),
            esterilizado=True,
            alergias="Pollo; «cereal»\ttab\\barra",
        ),
    ]


def _stored(pks):
    rows = Paciente.objects.filter(pk__in=pks).order_by("pk")
    return [{k: v for k, v in model_to_dict(p).items() if k not in HISTORY_OWN} for p in rows]


def _history(pks):
    rows = Paciente.history.filter(id__in=pks).order_by("id").values()
    return [{k: v for k, v in row.items() if k not in HISTORY_OWN} for row in rows]


def test_rows_and_audit_rows_are_those_bulk_create_with_history_writes():
    actor = AdminFactory()
    owner = ClienteFactory()
    copied, created = _pacientes(owner, "", "941000000000001"), _pacientes(owner, "x", "941000000000002")
    insert_with_history(copied, Paciente, actor=actor, change_reason="importación")
    bulk_create_with_history(created, Paciente, default_user=actor, default_change_reason="importación")

    # the pks are set and the instances know they are saved
    assert all(p.pk and not p._state.adding for p in copied)
    stored_copied, stored_created = _stored([p.pk for p in copied]), _stored([p.pk for p in created])
    for row in stored_created:
        row["nombre"] = row["nombre"].removeprefix("x")
        row["microchip"] = row["microchip"].replace("002", "001")
    assert stored_copied == stored_created
    history = _history([p.pk for p in copied])
    assert [h["history_type"] for h in history] == ["+", "+"]
    assert {h["history_user_id"] for h in history} == {actor.pk}
    assert {h["history_change_reason"] for h in history} == {"importación"}
    expected = _history([p.pk for p in created])
    for row in expected:
        row["nombre"] = row["nombre"].removeprefix("x")
        row["microchip"] = row["microchip"].replace("002", "001")
    assert history == expected
    # auto_now_add ran, and the audit row carries the record's own timestamp
    thor = Paciente.objects.get(pk=copied[1].pk)
    assert thor.creado_en is not None and thor.alergias == "Pollo; «cereal»\ttab\\barra"
    assert Paciente.history.get(id=thor.pk).creado_en == thor.creado_en


def test_a_duplicate_the_database_rejects_is_an_integrity_error():
    owner = ClienteFactory()
    Paciente.objects.create(propietario=owner, nombre="Kiwi", especie="ave", microchip="941000000000777")
    clash = Paciente(propietario=owner, nombre="Otro", especie="ave", microchip="941000000000777")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_with_history([clash], Paciente)
    assert Paciente.objects.filter(microchip="941000000000777").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")
def test_on_postgresql_the_ids_come_from_the_table_sequence():
    owner = ClienteFactory()
    first = _pacientes(owner, "a", "941000000000003")
    insert_with_history(first, Paciente)
    # a later ordinary INSERT takes the next id: the sequence moved past the copied rows
    later = Paciente.objects.create(propietario=owner, nombre="Luna", especie="gato")
    assert later.pk > max(p.pk for p in first)


@pytest.mark.parametrize(
    ("text", "folded"), [("Hurón", "huron"), ("  ÑANDÚ ", "nandu"), ("Straße", "strasse"), ("TOBY", "toby")]
)
def test_fold_compares_without_case_or_accents(text, folded):
    assert fold(text) == folded


# -- planner statistics (core.importing.statistics) ----------------------------------


class Missing(models.Model):
    """A model whose table does not exist: ANALYZE of it fails."""

    class Meta:
        app_label = "core"
        managed = False
        db_table = "no_such_table_for_analyze"

    def __str__(self):
        return str(self.pk)


def _reltuples(model):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's")
def test_an_import_analyzes_the_table_it_fills_as_it_doubles(tmp_path):
    # given 2,500 clientes, imported in batches of 1,000 into an empty table
    lines = ["documento;nombre;apellidos;telefono"]
    lines += [f"{n:08d}X;Ana;Núñez;600{n:06d}" for n in range(2_500)]
    path = write_csv(tmp_path / "clientes.csv", "\n".join(lines) + "\n")
    result = run_import("importar_clientes", path, "--batch-size", 1000)
    assert result.summary == "2500 creados, 0 actualizados, 0 sin cambios, 0 con errores"
    # then the table was last analyzed, inside the import's transaction, once it held 2,000
    # rows (after 1,000 and after 2,000: each time its size doubled), not at the end
    assert _reltuples(Cliente) == 2_000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's")
def test_analyze_gives_up_quietly_and_the_transaction_goes_on():
    with transaction.atomic():
        assert analyze(Missing) is False
        assert analyze(Cliente) is True
        assert Cliente.objects.count() == 0  # the transaction is still usable


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the fallback of other databases")
def test_elsewhere_analyze_is_not_attempted():
    assert analyze(Cliente) is False
    table = GrowingTable(Cliente, step=10)
    table.wrote(100)
    assert table.enabled is False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's")
def test_a_rolled_back_import_leaves_no_statistics_of_rows_that_are_gone(tmp_path, api_client, monkeypatch):
    # given 2,500 clientes imported with --dry-run (written, analyzed at 2,000, rolled back)
    lines = ["documento;nombre;apellidos;telefono"]
    lines += [f"{n:08d}X;Ana;Núñez;600{n:06d}" for n in range(2_500)]
    path = write_csv(tmp_path / "clientes.csv", "\n".join(lines) + "\n")
    result = run_import("importar_clientes", path, "--batch-size", 1000, "--dry-run")
    assert result.code == 0 and Cliente.objects.count() == 0
    # then the statistics count no rows (PostgreSQL keeps ANALYZE's pg_class figures through
    # a rollback), and a list that trusts them from 1,000 rows on still says 0
    assert _reltuples(Cliente) == 0
    monkeypatch.setattr(pagination, "COUNT_ESTIMATE_FROM", 1_000)
    assert api_client(Rol.ADMIN).get("/api/v1/clientes/").json()["count"] == 0
