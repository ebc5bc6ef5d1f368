from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientesConfig(AppConfig):
    name = "clientes"
    verbose_name = _("Clientes")

    def ready(self):
        from core import events

        from .models import Cliente
        from .selectors import cliente_list_all
        from .serializers import ClienteSerializer

        events.register_representation(Cliente, ClienteSerializer, cliente_list_all)
