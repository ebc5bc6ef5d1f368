"""Line and total arithmetic on awkward values, against Decimal worked out by hand."""

from decimal import Decimal

import pytest

from facturacion.arithmetic import desglose, importes_linea, redondear, totales
from facturacion.models import LineaFactura


def test_a_third_of_a_unit_at_10_05_rounds_half_up_per_line():
    # given 0.333 × 10.05 = 3.34665 → base 3.35; cuota 21% of 3.35 = 0.7035 → 0.70
    base, cuota, total = importes_linea(
        cantidad=Decimal("0.333"),
        precio_unitario=Decimal("10.05"),
        descuento_pct=Decimal("0"),
        porcentaje=Decimal("21"),
    )

    assert (base, cuota, total) == (Decimal("3.35"), Decimal("0.70"), Decimal("4.05"))


def test_a_7_5_percent_discount_is_taken_before_rounding():
    # given 3 × 19.99 = 59.97; × 0.925 = 55.47225 → 55.47; 10% → 5.547 → 5.55
    base, cuota, total = importes_linea(
        cantidad=Decimal("3"), precio_unitario=Decimal("19.99"), descuento_pct=Decimal("7.5"), porcentaje=Decimal("10")
    )

    assert (base, cuota, total) == (Decimal("55.47"), Decimal("5.55"), Decimal("61.02"))


def test_an_exact_half_cent_rounds_up_not_to_even():
    # 0.125 would round to 0.12 with banker's rounding; half-up gives 0.13
    assert redondear(Decimal("0.125")) == Decimal("0.13")
    assert redondear(Decimal("2.675")) == Decimal("2.68")


def test_a_negated_line_has_exactly_the_negated_amounts():
    positive = importes_linea(
        cantidad=Decimal("0.333"),
        precio_unitario=Decimal("10.05"),
        descuento_pct=Decimal("7.5"),
        porcentaje=Decimal("21"),
    )
    negative = importes_linea(
        cantidad=Decimal("-0.333"),
        precio_unitario=Decimal("10.05"),
        descuento_pct=Decimal("7.5"),
        porcentaje=Decimal("21"),
    )

    assert negative == tuple(-amount for amount in positive)


def _linea(impuesto_id, porcentaje, cantidad, precio, descuento="0"):
    base, cuota, total = importes_linea(
        cantidad=Decimal(cantidad),
        precio_unitario=Decimal(precio),
        descuento_pct=Decimal(descuento),
        porcentaje=Decimal(porcentaje),
    )
    return LineaFactura(impuesto_id=impuesto_id, porcentaje=Decimal(porcentaje), base=base, cuota=cuota, total=total)


@pytest.mark.parametrize("orden", [slice(None), slice(None, None, -1)])
def test_totals_are_sums_of_rounded_lines_and_the_breakdown_groups_them_per_impuesto(orden):
    # given three lines whose unrounded sum would differ from the sum of their rounded amounts:
    # 0.333 × 10.05 = 3.34665 → 3.35 (cuota 0.7035 → 0.70); twice → 6.70 / 1.40
    # 1 × 0.125 at 10% → base 0.13 (half-up), cuota 0.013 → 0.01
    lineas = [
        _linea(1, "21", "0.333", "10.05"),
        _linea(1, "21", "0.333", "10.05"),
        _linea(2, "10", "1", "0.125"),
    ][orden]

    base, cuota, total = totales(lineas)

    assert (base, cuota, total) == (Decimal("6.83"), Decimal("1.41"), Decimal("8.24"))
    filas = sorted(desglose(lineas), key=lambda fila: fila["impuesto"])
    assert [(f["impuesto"], f["base"], f["cuota"]) for f in filas] == [
        (1, Decimal("6.70"), Decimal("1.40")),
        (2, Decimal("0.13"), Decimal("0.01")),
    ]
