"""The migrations that gave the clinical record (historial) and the reminders (recordatorios)
apps of their own keep every table, row, history row, constraint and permission, and the
migration graph points one way: down the order of the apps."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from tests.test_import_graph import ORDER

# The last migration of each app before the move; historial and recordatorios had none.
BEFORE_THE_MOVE = [
    ("accounts", "0004_tokens_validos_desde"),
    ("clientes", "0004_sin_caracteres_de_control"),
    ("pacientes", "0007_fechas_en_rango"),
    ("citas", "0005_fechas_en_rango"),
    ("historial", None),
    ("recordatorios", None),
]

MOVED_TABLES = {
    "pacientes_consulta": ["pacientes_consulta_temperatura_rango", "pacientes_consulta_peso_positivo"],
    "pacientes_vacuna": ["pacientes_vacuna_proxima_tras_aplicacion"],
    "citas_recordatorio": ["recordatorio_vacuna_unico", "recordatorio_cita_unico", "recordatorio_un_objeto"],
    "pacientes_historicalconsulta": [],
    "pacientes_historicalvacuna": [],
}
MOVED_INDEXES = {
    "pacientes_consulta": ["consultas_paciente_fecha_idx", "consultas_vet_fecha_idx", "consultas_fecha_idx"],
    "pacientes_vacuna": ["vacunas_paciente_nombre_idx", "vacunas_proxima_dosis_idx"],
}
EXCLUSION_CONSTRAINTS = ["citas_cita_sin_solape_veterinario", "citas_cita_sin_solape_paciente"]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    return migrate(executor.loader.graph.leaf_nodes())


def constraint_names(table):
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def create_rows_before_the_move(apps):
    """One of everything, with the models as they were (consultas and vacunas in pacientes,
    recordatorios in citas), history rows included."""
    User = apps.get_model("accounts", "User")
    vet = User.objects.create(email="vet-migracion@example.com", rol="veterinario", nombre="Vera")
    cliente = apps.get_model("clientes", "Cliente").objects.create(
        nombre="Marta", apellidos="Ruiz", telefono="+34 600 000 001", email="marta@example.com"
    )
    paciente = apps.get_model("pacientes", "Paciente").objects.create(
        nombre="Toby", especie="perro", propietario=cliente, peso_kg=Decimal("12.50")
    )
    inicio = timezone.now() - datetime.timedelta(days=2)
    cita = apps.get_model("citas", "Cita").objects.create(
        paciente=paciente,
        veterinario=vet,
        inicio=inicio,
        fin=inicio + datetime.timedelta(minutes=30),
        motivo="Revisión",
    )
    consulta = apps.get_model("pacientes", "Consulta").objects.create(
        paciente=paciente, veterinario=vet, cita=cita, fecha=inicio, motivo="Revisión", peso_kg=Decimal("12.50")
    )
    vacuna = apps.get_model("pacientes", "Vacuna").objects.create(
        paciente=paciente,
        nombre="Rabia",
        fecha_aplicacion=timezone.localdate() - datetime.timedelta(days=1),
        proxima_dosis=timezone.localdate() + datetime.timedelta(days=364),
        veterinario=vet,
    )
    recordatorio = apps.get_model("citas", "Recordatorio").objects.create(
        tipo="vacuna", vacuna=vacuna, email=cliente.email
    )
    now = timezone.now()
    history = {"history_date": now, "history_type": "+", "history_user": vet, "creado_en": now, "actualizado_en": now}
    apps.get_model("pacientes", "HistoricalConsulta").objects.create(
        id=consulta.id,
        paciente=paciente,
        veterinario=vet,
        cita=cita,
        fecha=consulta.fecha,
        motivo=consulta.motivo,
        peso_kg=consulta.peso_kg,
        **history,
    )
    apps.get_model("pacientes", "HistoricalVacuna").objects.create(
        id=vacuna.id,
        paciente=paciente,
        veterinario=vet,
        nombre=vacuna.nombre,
        fecha_aplicacion=vacuna.fecha_aplicacion,
        proxima_dosis=vacuna.proxima_dosis,
        **history,
    )
    content_types = apps.get_model("contenttypes", "ContentType").objects
    return {
        "vet": vet.pk,
        "paciente": paciente.pk,
        "cita": cita.pk,
        "consulta": consulta.pk,
        "vacuna": vacuna.pk,
        "recordatorio": recordatorio.pk,
        "content_types": {
            model: content_types.get(app_label=app, model=model).pk
            for app, model in [
                ("pacientes", "consulta"),
                ("pacientes", "vacuna"),
                ("pacientes", "historicalconsulta"),
                ("pacientes", "historicalvacuna"),
                ("citas", "recordatorio"),
            ]
        },
    }


@pytest.mark.django_db(transaction=True)
def test_moving_the_clinical_record_and_the_reminders_keeps_every_row_constraint_and_permission():
    try:
        # given a database as it was before the move, with one of everything
        executor = migrate(BEFORE_THE_MOVE)
        before = executor.loader.project_state([key for key in BEFORE_THE_MOVE if key[1] is not None]).apps
        ids = create_rows_before_the_move(before)

        # when it is migrated to the latest migrations
        migrate_to_latest()
    finally:
        # (other tests need the latest schema whatever happens here)
        migrate_to_latest()

    # then the current models read every row and history row, in the same tables
    from citas.models import Cita
    from historial.models import Consulta, Vacuna
    from recordatorios.models import Recordatorio

    consulta = Consulta.objects.select_related("paciente", "cita").get(pk=ids["consulta"])
    assert (consulta.paciente_id, consulta.cita_id) == (ids["paciente"], ids["cita"])
    assert consulta.peso_kg == Decimal("12.50")
    vacuna = Vacuna.objects.get(pk=ids["vacuna"])
    assert vacuna.nombre == "Rabia"
    recordatorio = Recordatorio.objects.get(pk=ids["recordatorio"])
    assert (recordatorio.vacuna_id, recordatorio.cita_id) == (ids["vacuna"], None)
    # the address it was sent to survives the field's rename (email → destinatario)
    assert recordatorio.destinatario == Vacuna.objects.get(pk=ids["vacuna"]).paciente.propietario.email
    assert Cita.objects.get(pk=ids["cita"]).consultas.get() == consulta
    assert [h.history_type for h in consulta.history.all()] == ["+"]
    assert [h.history_user_id for h in vacuna.history.all()] == [ids["vet"]]
    assert (Consulta._meta.db_table, Vacuna._meta.db_table, Recordatorio._meta.db_table) == (
        "pacientes_consulta",
        "pacientes_vacuna",
        "citas_recordatorio",
    )

    # and every constraint and index is still there, under its name
    for table, names in MOVED_TABLES.items():
        assert set(names) <= constraint_names(table), table
    for table, names in MOVED_INDEXES.items():
        assert set(names) <= constraint_names(table), table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE contype = 'x' AND conname = ANY(%s)", [EXCLUSION_CONSTRAINTS]
            )
            assert {row[0] for row in cursor.fetchall()} == set(EXCLUSION_CONSTRAINTS)

    # and the content types were relabelled, not replaced: permissions and groups keep pointing at them
    moved = {
        "consulta": "historial",
        "vacuna": "historial",
        "historicalconsulta": "historial",
        "historicalvacuna": "historial",
        "recordatorio": "recordatorios",
    }
    for model, app_label in moved.items():
        content_type = ContentType.objects.get(pk=ids["content_types"][model])
        assert (content_type.app_label, content_type.model) == (app_label, model)
    assert ContentType.objects.get_for_model(Consulta).pk == ids["content_types"]["consulta"]
    assert not ContentType.objects.filter(app_label="pacientes", model__in=["consulta", "vacuna"]).exists()
    veterinario = Group.objects.get(name="veterinario").permissions.select_related("content_type")
    labels = {f"{p.content_type.app_label}.{p.codename}" for p in veterinario}
    assert {"historial.add_consulta", "historial.change_vacuna", "recordatorios.view_recordatorio"} <= labels
    assert Permission.objects.get(codename="view_consulta").content_type_id == ids["content_types"]["consulta"]


# The apps in the order dependencies may point (down this list): Django's and third-party apps
# first, then ours.
APP_ORDER = ORDER  # the order of the apps, as the import graph test has it

# Upward edges in migrations applied before the apps were split: an applied migration cannot be
# edited, and a squash cannot drop them either. While the replaced migrations exist, Django gives
# the squash their dependencies (a squash of accounts 0001-0004 without 0002's data step is still
# a CircularDependencyError), and deleting them would strand every v1 database, which has
# accounts 0002 applied but not 0003. A squash of pacientes has the same problem, and worse: its
# replacement would have to create pacientes_consulta.cita_id's foreign key before citas_cita
# exists (README, "Migrations"). They can go once every database has passed them.
KNOWN_OLD_EDGES = {
    # Consulta.cita pointed up at citas while the clinical record lived in pacientes.
    (("pacientes", "0004_consultas_vacunas"), ("citas", "0001_initial")),
    # The staff groups were created once every model they give permissions on existed.
    (("accounts", "0002_role_groups"), ("clientes", "0003_history")),
    (("accounts", "0002_role_groups"), ("pacientes", "0004_consultas_vacunas")),
    (("accounts", "0002_role_groups"), ("citas", "0003_recordatorios")),
}


def rank(app_label):
    return APP_ORDER.index(app_label) + 1 if app_label in APP_ORDER else 0


def test_every_migration_depends_only_on_its_own_app_or_lower_ones():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    user_app = settings.AUTH_USER_MODEL.split(".")[0]
    upward = set()
    for key in graph.nodes:
        for parent in graph.node_map[key].parents:
            if rank(parent.key[0]) <= rank(key[0]):
                continue
            if rank(key[0]) == 0 and parent.key[0] == user_app:
                continue  # Django's and third-party apps depend on the swappable user model
            upward.add((key, parent.key))
    assert upward == KNOWN_OLD_EDGES
