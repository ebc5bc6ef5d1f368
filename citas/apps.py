from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


def check_clinic_hours(app_configs, **kwargs):
    """A malformed CLINIC_HOURS is reported at start-up, not at the first booking."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from .agenda import parse_clinic_hours

    try:
        parse_clinic_hours(settings.CLINIC_HOURS)
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="citas.E001")]
    return []


class CitasConfig(AppConfig):
    name = "citas"
    verbose_name = _("Citas")

    def ready(self):
        checks.register(check_clinic_hours)
        # A vet with citas to attend may not be deactivated; accounts asks citas which they are.
        from accounts.services import register_citas_futuras

        from .selectors import citas_futuras_ids

        register_citas_futuras(citas_futuras_ids)

        from core import events

        from .models import Cita
        from .serializers import CitaSerializer

        events.register_representation(Cita, CitaSerializer)
