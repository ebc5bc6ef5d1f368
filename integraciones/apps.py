from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegracionesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integraciones"
    verbose_name = _("Integraciones")

    def ready(self):
        from core import events

        from . import outbox, schema  # noqa: F401 (schema: the Api-Key security scheme)

        # Every event a service publishes is written to the outbox in the service's transaction.
        events.register_recorder(outbox.registrar_evento)
