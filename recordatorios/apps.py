from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordatoriosConfig(AppConfig):
    name = "recordatorios"
    verbose_name = _("Recordatorios")
