"""Celery tasks of the integraciones app (each idempotent: see integraciones.deliveries)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import deliveries
from .models import Evento


@shared_task(name="integraciones.entregar")
def entregar(entrega_id):
    """One attempt at a webhook delivery, if it is still due."""
    deliveries.entregar(entrega_id)


@shared_task(name="integraciones.barrer_entregas")
def barrer_entregas():
    """Queues every delivery that is due (beat, every WEBHOOK_BARRIDO_SEGUNDOS)."""
    return deliveries.barrer()


@shared_task(name="integraciones.limpiar_eventos")
def limpiar_eventos():
    """Removes the events older than EVENTOS_DIAS, with their deliveries."""
    return limpiar(dias=settings.EVENTOS_DIAS)


def limpiar(*, dias, ahora=None) -> int:
    limite = (ahora or timezone.now()) - timedelta(days=dias)
    borrados, _por_modelo = Evento.objects.filter(creado_en__lt=limite).delete()
    return borrados
