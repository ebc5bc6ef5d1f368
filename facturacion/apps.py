from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacturacionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "facturacion"
    verbose_name = _("Facturación")

    def ready(self):
        # The lower apps never import this one: it registers what they call back (historial's
        # cargos on consultas and vacunas) and how its events are shown (core.events).
        from core import events
        from historial.services import register_cargos

        from .models import Factura, Pago
        from .serializers import FacturaSerializer, PagoSerializer
        from .services import cargos_automaticos

        register_cargos(cargos_automaticos)
        events.register_representation(Factura, FacturaSerializer)
        events.register_representation(Pago, PagoSerializer)
