from decimal import Decimal

import factory

from clientes.tests.factories import ClienteFactory
from facturacion import services
from facturacion.models import Factura, Impuesto, Producto
from sedes.tests.factories import sede_principal


class ImpuestoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Impuesto

    nombre = factory.Sequence(lambda n: f"IVA {n}")
    porcentaje = Decimal("21.00")


class ProductoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producto

    codigo = factory.Sequence(lambda n: f"P{n:04d}")
    nombre = factory.Sequence(lambda n: f"Servicio {n}")
    precio = Decimal("30.00")
    impuesto = factory.SubFactory(ImpuestoFactory)


class FacturaFactory(factory.django.DjangoModelFactory):
    """A borrador with no lines; `borrador_con_lineas` / `emitida` below go through the services."""

    class Meta:
        model = Factura

    sede = factory.LazyFunction(sede_principal)
    cliente = factory.SubFactory(ClienteFactory)


def borrador_con_lineas(*, actor, lineas=None, **kwargs):
    """A borrador written by the service: by default one line of a 30.00 product at 21%."""
    if lineas is None:
        lineas = [{"producto": ProductoFactory(), "cantidad": Decimal("1")}]
    kwargs.setdefault("cliente", ClienteFactory())
    kwargs.setdefault("sede", sede_principal())
    return services.factura_create(actor=actor, lineas=lineas, **kwargs)


def emitida(*, actor, **kwargs):
    return services.factura_emitir(actor=actor, factura=borrador_con_lineas(actor=actor, **kwargs))
