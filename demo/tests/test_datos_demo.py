import datetime
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Rol, User
from citas.models import Cita, EstadoCita
from clientes.models import Cliente
from demo.management.commands.datos_demo import Demo
from facturacion.models import Factura, Producto
from facturacion.services import verificar_cadena
from historial.models import Vacuna
from historial.selectors import vacuna_list, vacunas_vencidas
from pacientes.models import Paciente
from sedes.models import Sede

pytestmark = pytest.mark.django_db


def test_refuses_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("datos_demo")
    assert not Cliente.objects.exists()


def test_fills_an_empty_database_and_prints_the_logins(settings):
    out = StringIO()

    call_command("datos_demo", "--force", stdout=out)

    assert {u.rol for u in User.objects.all()} == set(Rol.values)
    assert Cliente.objects.count() == 50
    assert Paciente.objects.count() == 80
    assert User.objects.get(rol=Rol.CLIENTE).cliente.pacientes.exists()
    assert len({c.estado for c in Cita.objects.all()}) >= 4
    assert Cita.objects.filter(estado__in=[EstadoCita.PROGRAMADA, EstadoCita.CONFIRMADA]).exists()
    admin = User.objects.get(rol=Rol.ADMIN)
    assert vacunas_vencidas(vacuna_list(user=admin)).exists()
    # weights are plausible for each species
    assert not Paciente.objects.filter(especie__in=["huron", "ave", "conejo"], peso_kg__gt=4).exists()
    # demo records carry their creation in the audit history, like any other record
    assert Paciente.history.filter(history_type="+").count() == 80
    assert Cita.history.count() == Cita.objects.count()
    assert Vacuna.objects.exists()
    # a chain of two sedes an hour apart, each with its agenda, one vet working at both
    assert {s.zona_horaria for s in Sede.objects.all()} == {"Europe/Madrid", "Atlantic/Canary"}
    assert {c.sede.codigo for c in Cita.objects.select_related("sede")} == {"PRAL", "LPA"}
    assert User.objects.filter(sedes__codigo="PRAL").filter(sedes__codigo="LPA").filter(rol=Rol.VETERINARIO).exists()
    # billing: a catalogue, emitted, paid and rectified invoices, one chain that verifies
    assert Producto.objects.count() == 6
    assert {f.estado for f in Factura.objects.all()} == {"borrador", "emitida", "pagada", "anulada"}
    for sede in Sede.objects.all():
        assert verificar_cadena(sede=sede) == {"valida": True, "primera_rota": None}
    assert {f.codigo.split("-")[0] for f in Factura.objects.exclude(codigo="")} == {"PRAL", "LPA"}
    for user in User.objects.all():
        assert user.email in out.getvalue()


def test_si_vacia_leaves_existing_data_alone():
    call_command("datos_demo", "--force", stdout=StringIO())
    before = Cliente.objects.count()

    call_command("datos_demo", "--force", "--si-vacia", stdout=StringIO())

    assert Cliente.objects.count() == before
    with pytest.raises(CommandError):
        call_command("datos_demo", "--force", stdout=StringIO())


@pytest.mark.parametrize("days_ahead", range(7))
def test_builds_on_every_day_of_the_week(days_ahead):
    # the week of citas around "today" must fit whatever weekday today is
    now = timezone.now() + datetime.timedelta(days=days_ahead)

    Demo(random.Random(2026), now=now).build()

    citas = list(Cita.objects.all())
    assert len(citas) >= 5 * 2 * 6  # eight days hold at least five working days; two vets, six slots
    assert {timezone.localdate(c.inicio).weekday() for c in citas} <= {0, 1, 2, 3, 4}
