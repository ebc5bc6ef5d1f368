"""Upgrading an installation of one clinic: the first sedes migration creates the default sede
and every existing cita, horario, consulta and staff member belongs to it, rows and history
rows alike."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# Every app as it was just before sedes existed.
BEFORE_SEDES = [("citas", "0007_sin_solapes_en_el_modelo"), ("historial", "0002_cursor_indexes"), ("sedes", None)]
# Apps the sedes migrations leave as they are (at their latest migration).
UNTOUCHED_APPS = {"accounts", "clientes", "pacientes"}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


def create_rows_before_sedes(apps):
    User = apps.get_model("accounts", "User")
    vet = User.objects.create(email="vet-sedes@example.com", rol="veterinario", nombre="Vera")
    recepcion = User.objects.create(email="recepcion-sedes@example.com", rol="recepcionista")
    admin = User.objects.create(email="admin-sedes@example.com", rol="admin")
    cliente = apps.get_model("clientes", "Cliente").objects.create(nombre="Marta", apellidos="Ruiz", telefono="600")
    paciente = apps.get_model("pacientes", "Paciente").objects.create(
        nombre="Toby", especie="perro", propietario=cliente
    )
    inicio = timezone.now() + datetime.timedelta(days=2)
    cita = apps.get_model("citas", "Cita").objects.create(
        paciente=paciente, veterinario=vet, inicio=inicio, fin=inicio + datetime.timedelta(minutes=30), motivo="Control"
    )
    now = timezone.now()
    apps.get_model("citas", "HistoricalCita").objects.create(
        id=cita.id,
        paciente=paciente,
        veterinario=vet,
        inicio=cita.inicio,
        fin=cita.fin,
        motivo=cita.motivo,
        estado=cita.estado,
        history_date=now,
        history_type="+",
        creado_en=now,
        actualizado_en=now,
    )
    horario = apps.get_model("citas", "HorarioAtencion").objects.create(
        veterinario=vet, dia_semana=0, hora_inicio=datetime.time(9), hora_fin=datetime.time(14)
    )
    consulta = apps.get_model("historial", "Consulta").objects.create(
        paciente=paciente, veterinario=vet, cita=cita, fecha=now, motivo="Control"
    )
    return {
        "vet": vet.pk,
        "recepcion": recepcion.pk,
        "admin": admin.pk,
        "cita": cita.pk,
        "horario": horario.pk,
        "consulta": consulta.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_upgrading_puts_every_existing_row_and_staff_member_at_the_default_sede():
    try:
        # given a database of one clinic, as it was before sedes
        executor = migrate(BEFORE_SEDES)
        untouched = [key for key in executor.loader.graph.leaf_nodes() if key[0] in UNTOUCHED_APPS]
        before = executor.loader.project_state([*[key for key in BEFORE_SEDES if key[1]], *untouched]).apps
        ids = create_rows_before_sedes(before)

        # when it is upgraded
        migrate_to_latest()
    finally:
        migrate_to_latest()

    # then one sede exists, named after the clinic, in the server's zone, and everything is there
    from accounts.models import User
    from citas.models import Cita, HorarioAtencion
    from historial.models import Consulta
    from sedes.models import Sede

    sede = Sede.objects.get()
    assert (sede.codigo, sede.nombre, sede.zona_horaria) == ("PRAL", settings.CLINIC_NAME, settings.TIME_ZONE)
    cita = Cita.objects.get(pk=ids["cita"])
    assert cita.sede == sede
    assert [h.sede_id for h in cita.history.all()] == [sede.pk]
    assert HorarioAtencion.objects.get(pk=ids["horario"]).sede == sede
    assert Consulta.objects.get(pk=ids["consulta"]).sede == sede
    assert set(sede.personal.values_list("pk", flat=True)) == {ids["vet"], ids["recepcion"]}
    assert not User.objects.get(pk=ids["admin"]).sedes.exists()
