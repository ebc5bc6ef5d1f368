"""The arithmetic of a line and of a document: Decimal, 2 places, rounded half-up per line;
totals are sums of the lines. One place, used by the services, the admin and the PDF."""

from collections import OrderedDict
from decimal import ROUND_HALF_UP, Decimal

CENTIMO = Decimal("0.01")
CIEN = Decimal("100")
# Every amount column (a line's base, cuota, total; a document's totals; pagado) holds 12 digits,
# 2 of them decimals: what a line or a document may add up to.
IMPORTE_MAX_DIGITS = 12
IMPORTE_MAXIMO = Decimal(10 ** (IMPORTE_MAX_DIGITS - 2)) - CENTIMO


def redondear(value: Decimal) -> Decimal:
    """Half-up to the cent (away from zero on a tie, so a negated line is the exact negative)."""
    return Decimal(value).quantize(CENTIMO, rounding=ROUND_HALF_UP)


def importes_linea(*, cantidad, precio_unitario, descuento_pct, porcentaje):
    """(base, cuota, total) of a line: base = round(cantidad × precio × (1 − descuento/100)),
    cuota = round(base × porcentaje/100), total = base + cuota."""
    base = redondear(Decimal(cantidad) * Decimal(precio_unitario) * (1 - Decimal(descuento_pct) / CIEN))
    cuota = redondear(base * Decimal(porcentaje) / CIEN)
    return base, cuota, base + cuota


def cabe(*importes) -> bool:
    """Whether every amount fits an amount column (at most IMPORTE_MAXIMO either way)."""
    return all(abs(importe) <= IMPORTE_MAXIMO for importe in importes)


def totales(lineas):
    """(base_imponible, total_impuestos, total): the sums of the lines' stored amounts."""
    base = sum((linea.base for linea in lineas), Decimal("0.00"))
    cuota = sum((linea.cuota for linea in lineas), Decimal("0.00"))
    return base, cuota, base + cuota


def desglose(lineas):
    """One row per impuesto, in the order of first appearance: {impuesto, porcentaje, base, cuota}."""
    grupos = OrderedDict()
    for linea in lineas:
        fila = grupos.setdefault(
            linea.impuesto_id,
            {
                "impuesto": linea.impuesto_id,
                "porcentaje": linea.porcentaje,
                "base": Decimal("0.00"),
                "cuota": Decimal("0.00"),
            },
        )
        fila["base"] += linea.base
        fila["cuota"] += linea.cuota
    return list(grupos.values())
