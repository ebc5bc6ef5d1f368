"""The reminders' sweep on the worker's beat."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from clientes.tests.factories import ClienteFactory
from historial.tests.factories import VacunaFactory
from recordatorios import tasks
from vetclinic.celery import app

pytestmark = pytest.mark.django_db


def test_beat_runs_the_sweep_every_few_minutes():
    entrada = settings.CELERY_BEAT_SCHEDULE["enviar-recordatorios"]

    assert entrada["task"] in app.tasks
    assert entrada["task"] == tasks.enviar_pendientes.name
    assert entrada["schedule"] == settings.RECORDATORIOS_BARRIDO_SEGUNDOS


def test_the_task_sends_what_is_due(settings):
    dias = settings.RECORDATORIO_VACUNA_DIAS[0]
    dueno = ClienteFactory(email="ana@correo.test")
    VacunaFactory(paciente__propietario=dueno, proxima_dosis=timezone.localdate() + datetime.timedelta(days=dias))

    resumen = tasks.enviar_pendientes.apply().get()

    assert resumen.startswith("1 enviados")
    assert [m.to for m in mail.outbox] == [["ana@correo.test"]]
