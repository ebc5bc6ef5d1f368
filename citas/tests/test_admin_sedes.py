"""The admin of a chain: staff see their sedes' citas and horarios, lists filter by sede, and
the agenda del día shows one sede at a time in its own zone."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import RecepcionistaFactory, VeterinarioFactory
from citas.tests.factories import CitaFactory, HorarioFactory
from sedes.tests.factories import sede_principal

pytestmark = pytest.mark.django_db

CANARIAS = zoneinfo.ZoneInfo("Atlantic/Canary")


def test_a_receptionists_admin_lists_only_their_sedes_citas_and_horarios(client, canarias):
    madrid = sede_principal()
    de_canarias = VeterinarioFactory(sedes=[canarias])
    ajena = CitaFactory(sede=canarias, veterinario=de_canarias)
    propia = CitaFactory(sede=madrid)
    horario_ajeno = HorarioFactory(sede=canarias, veterinario=de_canarias)
    client.force_login(RecepcionistaFactory(sedes=[madrid]))

    citas = client.get(reverse("admin:citas_cita_changelist")).context["cl"].result_list
    horarios = client.get(reverse("admin:citas_horarioatencion_changelist")).context["cl"].result_list

    assert [c.id for c in citas] == [propia.id]
    assert horario_ajeno not in list(horarios)
    assert client.get(reverse("admin:citas_cita_change", args=[ajena.id])).status_code in (302, 404)


def test_an_admin_filters_citas_by_sede(client, admin_user, canarias):
    en_canarias = CitaFactory(sede=canarias, veterinario=VeterinarioFactory(sedes=[canarias]))
    CitaFactory()
    client.force_login(admin_user)

    response = client.get(reverse("admin:citas_cita_changelist"), {"sede__id__exact": canarias.id})

    assert [c.id for c in response.context["cl"].result_list] == [en_canarias.id]


def test_the_agenda_shows_one_sede_in_its_own_zone(client, admin_user, canarias):
    vet = VeterinarioFactory(sedes=[sede_principal(), canarias])
    dia = timezone.localdate() + datetime.timedelta(days=1)
    a_las_nueve = datetime.datetime.combine(dia, datetime.time(9), tzinfo=CANARIAS)
    en_canarias = CitaFactory(sede=canarias, veterinario=vet, inicio=a_las_nueve)
    CitaFactory(sede=sede_principal(), veterinario=vet, inicio=a_las_nueve + datetime.timedelta(hours=3))
    client.force_login(admin_user)

    response = client.get(reverse("admin:citas_cita_agenda"), {"fecha": dia.isoformat(), "sede": canarias.id})

    assert response.context["sede"] == canarias
    assert [c.id for g in response.context["agenda"] for c in g.citas] == [en_canarias.id]
    assert "09:00" in response.content.decode()  # Canary time, not the server's 10:00


def test_a_receptionists_agenda_offers_only_their_sedes(client, canarias):
    client.force_login(RecepcionistaFactory(sedes=[canarias]))

    response = client.get(reverse("admin:citas_cita_agenda"), {"sede": sede_principal().id})

    assert response.context["sede"] == canarias
    assert response.context["sedes"] == [canarias]
