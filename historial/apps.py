from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HistorialConfig(AppConfig):
    name = "historial"
    verbose_name = _("Historia clínica")

    def ready(self):
        # The weight rule lives with the paciente (pacientes.services); the weights are measured here.
        from pacientes.services import register_pesos_medidos

        from .selectors import consultas_con_peso

        register_pesos_medidos(consultas_con_peso)

        from core import events

        from .models import Consulta, Vacuna
        from .selectors import vacuna_list_all
        from .serializers import ConsultaSerializer, VacunaSerializer

        events.register_representation(Consulta, ConsultaSerializer)
        events.register_representation(Vacuna, VacunaSerializer, vacuna_list_all)
