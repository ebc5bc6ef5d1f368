from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PacientesConfig(AppConfig):
    name = "pacientes"
    verbose_name = _("Pacientes")

    def ready(self):
        from core import events

        from .models import Paciente
        from .serializers import PacienteSerializer

        events.register_representation(
            Paciente, PacienteSerializer, lambda: Paciente.objects.select_related("propietario")
        )
