"""Reads of billing, scoped by the caller (accounts.scoping) and shaped once."""

from decimal import Decimal

from django.db.models import Prefetch, Sum

from accounts.permissions import is_cliente

from .models import EstadoFactura, Factura, Impuesto, LineaFactura, LineaPresupuesto, Pago, Presupuesto, Producto


def impuesto_list(*, user):
    return Impuesto.objects.visible_to(user)


def producto_list(*, user):
    return Producto.objects.visible_to(user).select_related("impuesto")


def factura_list(*, user):
    """The facturas `user` may see: staff, those of their sedes; an owner, their own once
    emitted (a borrador is the clinic's work in progress)."""
    queryset = Factura.objects.visible_to(user)
    if is_cliente(user):
        queryset = queryset.exclude(estado=EstadoFactura.BORRADOR)
    return queryset.select_related("sede", "cliente", "paciente").prefetch_related(
        Prefetch("lineas", queryset=LineaFactura.objects.order_by("orden", "id"))
    )


def presupuesto_list(*, user):
    return (
        Presupuesto.objects.visible_to(user)
        .select_related("sede", "cliente", "paciente")
        .prefetch_related(Prefetch("lineas", queryset=LineaPresupuesto.objects.order_by("orden", "id")))
    )


def pago_list(*, user):
    """An owner sees the payments of their emitted facturas; staff those of their sedes."""
    return Pago.objects.visible_to(user).select_related("factura")


def factura_resumen(*, user, desde=None, hasta=None, sede=None) -> dict:
    """Totals over the emitted invoices (every state but borrador) `user` sees, by local fecha
    in [desde, hasta] and sede, per impuesto; and the payments of those invoices per method."""
    emitidas = Factura.objects.visible_to(user).exclude(estado=EstadoFactura.BORRADOR)
    if desde is not None:
        emitidas = emitidas.filter(fecha__gte=desde)
    if hasta is not None:
        emitidas = emitidas.filter(fecha__lte=hasta)
    if sede is not None:
        emitidas = emitidas.filter(sede=sede)
    pagos = Pago.objects.all()
    por_impuesto = (
        LineaFactura.objects.filter(factura__in=emitidas.values("pk"))
        .values("impuesto", "impuesto__nombre", "porcentaje")
        .annotate(base=Sum("base"), cuota=Sum("cuota"), total=Sum("total"))
        .order_by("porcentaje", "impuesto")
    )
    por_metodo = (
        pagos.filter(factura__in=emitidas.values("pk"))
        .values("metodo")
        .annotate(importe=Sum("importe"))
        .order_by("metodo")
    )
    impuestos = [
        {
            "impuesto": fila["impuesto"],
            "nombre": fila["impuesto__nombre"],
            "porcentaje": fila["porcentaje"],
            "base": fila["base"],
            "cuota": fila["cuota"],
            "total": fila["total"],
        }
        for fila in por_impuesto
    ]
    cero = Decimal("0.00")
    return {
        "num_facturas": emitidas.count(),
        "base_imponible": sum((fila["base"] for fila in impuestos), cero),
        "total_impuestos": sum((fila["cuota"] for fila in impuestos), cero),
        "total": sum((fila["total"] for fila in impuestos), cero),
        "por_impuesto": impuestos,
        "por_metodo": [{"metodo": fila["metodo"], "importe": fila["importe"]} for fila in por_metodo],
    }
