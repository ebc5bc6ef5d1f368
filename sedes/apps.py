from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SedesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sedes"
    verbose_name = _("Sedes")
