"""The periodic jobs: retention of the feed and the sweep of due deliveries."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from clientes.tests.factories import ClienteFactory
from core import events
from integraciones import deliveries, tasks
from integraciones.models import Entrega, EstadoEntrega, Evento

from .factories import WebhookFactory
from .receiver import Receiver

pytestmark = pytest.mark.django_db


def test_events_older_than_eventos_dias_are_removed_with_their_deliveries():
    cliente = ClienteFactory()
    WebhookFactory(activo=False)
    events.publish("cliente.creado", instance=cliente)
    events.publish("cliente.actualizado", instance=cliente)
    viejo, nuevo = Evento.objects.order_by("pk")
    Evento.objects.filter(pk=viejo.pk).update(creado_en=timezone.now() - timedelta(days=91))

    with override_settings(EVENTOS_DIAS=90):
        tasks.limpiar_eventos()

    assert list(Evento.objects.values_list("pk", flat=True)) == [nuevo.pk]


@override_settings(DEBUG=True)
def test_the_sweep_delivers_what_is_due_and_leaves_what_is_not():
    with Receiver() as receiver:
        webhook = WebhookFactory(url=receiver.url)
        ahora = timezone.now()
        # deliveries written without a message (a worker died with it), one due and one not yet
        evento_a, evento_b = (Evento.objects.create(tipo="cliente.creado", objeto_id=n) for n in (1, 2))
        due = Entrega.objects.create(webhook=webhook, evento=evento_a, tipo="cliente.creado", proximo_intento=ahora)
        later = Entrega.objects.create(
            webhook=webhook, evento=evento_b, tipo="cliente.creado", proximo_intento=ahora + timedelta(minutes=5)
        )

        assert deliveries.barrer() == 1

        assert Entrega.objects.get(pk=due.pk).estado == EstadoEntrega.ENTREGADA
        assert Entrega.objects.get(pk=later.pk).estado == EstadoEntrega.PENDIENTE
        assert len(receiver.requests) == 1


def test_barrer_entregas_prints_a_summary(capsys):
    call_command("barrer_entregas")

    assert capsys.readouterr().out.strip() == "0 entregas en cola"


def test_the_beat_schedule_runs_the_sweep_and_the_cleanup():
    from vetclinic.celery import app

    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"integraciones.barrer_entregas", "integraciones.limpiar_eventos"} <= scheduled
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
