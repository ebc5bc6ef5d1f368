from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordatoriosConfig(AppConfig):
    name = "recordatorios"
    verbose_name = _("Recordatorios")

    def ready(self):
        from core import events

        from .models import Mensaje
        from .serializers import MensajeSerializer

        # The `datos` of a `mensaje.fallido` event: the message as /api/v1/mensajes/ shows it.
        events.register_representation(Mensaje, MensajeSerializer)
