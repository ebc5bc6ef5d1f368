from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitasConfig(AppConfig):
    name = "citas"
    verbose_name = _("Citas")
