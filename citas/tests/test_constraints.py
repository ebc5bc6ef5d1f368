"""The exclusion constraints against double booking: declared once, on Cita.Meta.constraints,
and the same as the ones migration 0002 created in the database."""

import datetime

import pytest
from django.db import connection

from citas.models import ESTADOS_ACTIVOS, Cita, EstadoCita
from citas.tests.factories import CitaFactory, manana_a_las
from core.constraints import PostgresOnlyExclusionConstraint

NOMBRES = ["citas_cita_sin_solape_veterinario", "citas_cita_sin_solape_paciente"]

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints are PostgreSQL's")


def declared():
    return {c.name: c for c in Cita._meta.constraints if isinstance(c, PostgresOnlyExclusionConstraint)}


def catalog_definitions(names):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'citas_cita'::regclass AND contype = 'x' AND conname = ANY(%s)",
            [list(names)],
        )
        return dict(cursor.fetchall())


def test_the_model_declares_both_constraints_over_the_active_states():
    constraints = declared()

    assert sorted(constraints) == sorted(NOMBRES)
    for constraint in constraints.values():
        assert constraint.condition.children == [("estado__in", ESTADOS_ACTIVOS)]
        assert constraint.index_type.lower() == "gist"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the DDL of other databases")
def test_off_postgresql_the_constraints_have_no_ddl():
    editor = connection.schema_editor(collect_sql=True)

    for constraint in declared().values():
        assert constraint.constraint_sql(Cita, editor) is None
        assert constraint.create_sql(Cita, editor) is None
        assert constraint.remove_sql(Cita, editor) is None


@pytest.mark.django_db
@pytest.mark.parametrize("estado", [EstadoCita.PROGRAMADA, EstadoCita.CANCELADA])
def test_full_clean_leaves_overlaps_to_the_services_and_runs_no_query(estado, django_assert_num_queries):
    # given a stored active cita, and another of the same vet over the same time
    cita = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(11))
    overlapping = Cita(
        paciente=cita.paciente,
        veterinario=cita.veterinario,
        inicio=cita.inicio + datetime.timedelta(minutes=15),
        fin=cita.fin,
        motivo="x",
        estado=estado,
    )

    # when the model validates its constraints, then neither exclusion constraint queries or raises
    with django_assert_num_queries(0):
        for constraint in declared().values():
            constraint.validate(Cita, overlapping)


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db
def test_the_catalog_holds_exactly_the_declared_constraints():
    # given the constraints in the database (created by migration 0002)
    stored = catalog_definitions(NOMBRES)
    assert sorted(stored) == sorted(NOMBRES)

    # when the declared ones are created as well, under other names, on the same table
    copies = {}
    with connection.schema_editor() as editor:
        for name, constraint in declared().items():
            copy = constraint.clone()
            copy.name = f"{name}_declarada"
            editor.add_constraint(Cita, copy)
            copies[name] = copy.name
    created = catalog_definitions(copies.values())

    # then PostgreSQL spells each exactly as the one it already had (rolled back with the test)
    assert {name: created[copy] for name, copy in copies.items()} == stored


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db
def test_the_stored_constraints_keep_migration_0002s_definition():
    stored = catalog_definitions(NOMBRES)

    for name, column in zip(NOMBRES, ["veterinario_id", "paciente_id"], strict=True):
        assert stored[name] == (
            f"EXCLUDE USING gist ({column} WITH =, tstzrange(inicio, fin, '[)'::text) WITH &&) "
            "WHERE (((estado)::text = ANY ((ARRAY['programada'::character varying, "
            "'confirmada'::character varying, 'en_curso'::character varying])::text[])))"
        )
