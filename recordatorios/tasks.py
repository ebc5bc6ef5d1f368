"""Celery tasks of the reminders: the sweep on the worker's beat (`enviar_recordatorios` runs
the same sweep for cron users)."""

from celery import shared_task

from . import services


@shared_task(name="recordatorios.enviar_pendientes")
def enviar_pendientes():
    """Sends what is due now and retries what is due again (beat, every
    RECORDATORIOS_BARRIDO_SEGUNDOS); several workers may run it at once (see the service)."""
    return str(services.enviar_pendientes())
