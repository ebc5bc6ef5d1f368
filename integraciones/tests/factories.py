import factory

from integraciones.models import Webhook
from integraciones.services import integracion_create, nuevo_secreto


class WebhookFactory(factory.django.DjangoModelFactory):
    """A webhook stored as is (no URL check: tests point it at loopback or worse on purpose)."""

    class Meta:
        model = Webhook

    url = "https://hooks.example.com/vetclinic"
    eventos = factory.LazyFunction(lambda: ["*"])
    secreto = factory.LazyFunction(nuevo_secreto)


def integracion_con_clave(*, permisos, sedes=(), nombre="ERP", activo=True, actor=None):
    """(integracion, clave) made by the service, as the API makes them."""
    return integracion_create(actor=actor, nombre=nombre, permisos=permisos, sedes=sedes, activo=activo)
