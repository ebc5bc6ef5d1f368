from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacturacionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "facturacion"
    verbose_name = _("Facturación")

    def ready(self):
        # How this app's events show its objects (core.events).
        from core import events

        from .models import Factura, Pago
        from .serializers import FacturaSerializer, PagoSerializer

        events.register_representation(Factura, FacturaSerializer)
        events.register_representation(Pago, PagoSerializer)
