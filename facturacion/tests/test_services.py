"""Emission, immutability, the hash chain, payments and rectificativas, through the services."""

import datetime
from decimal import Decimal
from importlib import import_module

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from accounts.tests.factories import AdminFactory
from core import events
from core.exceptions import Conflict
from facturacion import services
from facturacion.models import EstadoFactura, Factura, LineaFactura, Serie
from sedes.tests.factories import SedeFactory

from .factories import ProductoFactory, borrador_con_lineas, emitida

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return AdminFactory()


@pytest.fixture
def publicados(monkeypatch):
    """The events published during the test, as (tipo, id)."""
    recorded = []

    def recorder(tipo, *, instance, sede, datos):
        recorded.append((tipo, instance.pk))

    monkeypatch.setattr(events, "_recorders", [recorder])
    return recorded


def test_a_borrador_stores_the_sum_of_its_lines(admin):
    # given two lines: 0.333 × 10.05 at 21% (3.35 + 0.70) and 3 × 19.99 −7.5% at 10% (55.47 + 5.55)
    iva21 = ProductoFactory(precio=Decimal("10.05"), impuesto__porcentaje=Decimal("21"))
    iva10 = ProductoFactory(precio=Decimal("19.99"), impuesto__porcentaje=Decimal("10"))

    factura = borrador_con_lineas(
        actor=admin,
        lineas=[
            {"producto": iva21, "cantidad": Decimal("0.333")},
            {"producto": iva10, "cantidad": Decimal("3"), "descuento_pct": Decimal("7.5")},
        ],
    )

    factura.refresh_from_db()
    assert (factura.base_imponible, factura.total_impuestos, factura.total) == (
        Decimal("58.82"),
        Decimal("6.25"),
        Decimal("65.07"),
    )
    assert factura.numero is None and factura.estado == EstadoFactura.BORRADOR


def test_emission_numbers_consecutively_per_sede_serie_and_year_and_sets_the_codigo(admin, publicados):
    otra_sede = SedeFactory(codigo="MAD")

    primera = emitida(actor=admin)
    segunda = emitida(actor=admin)
    en_otra_sede = emitida(actor=admin, sede=otra_sede)

    year = primera.fecha.year
    assert [primera.numero, segunda.numero, en_otra_sede.numero] == [1, 2, 1]
    assert en_otra_sede.codigo == f"MAD-F-{year}-000001"
    assert segunda.codigo == f"PRAL-F-{year}-000002"
    assert ("factura.emitida", segunda.pk) in publicados


def test_a_rolled_back_emission_gives_its_number_back(admin):
    borrador = borrador_con_lineas(actor=admin)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.factura_emitir(actor=admin, factura=borrador)
        raise RuntimeError

    assert services.factura_emitir(actor=admin, factura=borrador).numero == 1


def test_an_empty_borrador_is_not_emitted(admin):
    borrador = borrador_con_lineas(actor=admin, lineas=[])

    with pytest.raises(ValidationError) as error:
        services.factura_emitir(actor=admin, factura=borrador)

    assert error.value.message_dict.keys() == {"lineas"}
    assert Factura.objects.get(pk=borrador.pk).numero is None


def test_an_emitted_factura_refuses_the_services(admin):
    factura = emitida(actor=admin)

    for write in (
        lambda: services.factura_update(actor=admin, factura=factura, data={"notas": "otra"}),
        lambda: services.factura_delete(actor=admin, factura=factura),
        lambda: services.factura_emitir(actor=admin, factura=factura),
    ):
        with pytest.raises(Conflict) as error:
            write()
        assert error.value.code == services.FACTURA_NO_EDITABLE


@pytest.mark.parametrize(
    "write",
    [
        lambda f: Factura.objects.filter(pk=f.pk).update(total=Decimal("1.00")),
        lambda f: Factura.objects.filter(pk=f.pk).update(estado=EstadoFactura.BORRADOR),
        lambda f: Factura.objects.filter(pk=f.pk).delete(),
        lambda f: LineaFactura.objects.filter(factura=f).update(precio_unitario=Decimal("0.01")),
        lambda f: LineaFactura.objects.filter(factura=f).delete(),
        lambda f: LineaFactura.objects.create(
            factura=f, descripcion="x", cantidad=1, precio_unitario=1, impuesto=f.lineas.get().impuesto, porcentaje=21
        ),
    ],
    ids=["total", "back-to-borrador", "delete", "line-price", "line-delete", "line-insert"],
)
def test_an_emitted_factura_refuses_a_direct_orm_write(admin, write):
    # given an emitted invoice
    factura = emitida(actor=admin)

    # when the ORM writes to it behind the services' back, then the database refuses
    with pytest.raises(IntegrityError), transaction.atomic():
        write(factura)

    assert Factura.objects.get(pk=factura.pk).total == factura.total


def test_an_emitted_factura_still_takes_payments_and_changes_state(admin):
    factura = emitida(actor=admin)

    services.pago_create(actor=admin, factura=factura, importe=factura.total)

    assert Factura.objects.get(pk=factura.pk).estado == EstadoFactura.PAGADA


def tamper(sql, params):
    """Runs `sql` as someone with database access would, past the immutability triggers (the
    test's transaction brings them back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # (a superuser's way round triggers, until the end of the transaction)
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for name in import_module("facturacion.migrations.0002_inmutabilidad").SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(sql, params)


def test_an_intact_chain_is_valid(admin):
    for _ in range(3):
        emitida(actor=admin)

    assert services.verificar_cadena(sede=Factura.objects.first().sede) == {"valida": True, "primera_rota": None}


def test_tampering_one_emitted_line_in_sql_is_found_at_that_invoice(admin):
    # given a chain of four invoices, the third tampered with in SQL (its line's price lowered)
    facturas = [emitida(actor=admin) for _ in range(4)]
    tamper("UPDATE facturacion_lineafactura SET precio_unitario = 1 WHERE factura_id = %s", [facturas[2].pk])

    # when the chain is verified, then the tampered invoice is the first broken link
    assert services.verificar_cadena(sede=facturas[0].sede) == {"valida": False, "primera_rota": facturas[2].pk}


def test_rewriting_an_invoice_and_its_hash_breaks_the_next_link(admin):
    facturas = [emitida(actor=admin) for _ in range(3)]
    factura = facturas[1]
    factura.total = Decimal("1.00")
    nuevo = services.calcular_hash(factura, list(factura.lineas.all()), factura.hash_anterior)
    tamper("UPDATE facturacion_factura SET total = 1, hash = %s WHERE id = %s", [nuevo, factura.pk])

    assert services.verificar_cadena(sede=factura.sede) == {"valida": False, "primera_rota": facturas[2].pk}


def test_deleting_an_emitted_invoice_in_sql_is_found_at_the_next_one(admin):
    facturas = [emitida(actor=admin) for _ in range(3)]
    tamper("DELETE FROM facturacion_lineafactura WHERE factura_id = %s", [facturas[1].pk])
    tamper("DELETE FROM facturacion_factura WHERE id = %s", [facturas[1].pk])

    assert services.verificar_cadena(sede=facturas[0].sede) == {"valida": False, "primera_rota": facturas[2].pk}


def test_a_payment_over_what_is_pending_is_refused(admin):
    factura = emitida(actor=admin)  # 30.00 + 21% = 36.30
    services.pago_create(actor=admin, factura=factura, importe=Decimal("30.00"))

    with pytest.raises(ValidationError) as error:
        services.pago_create(actor=admin, factura=factura, importe=Decimal("6.31"))

    assert error.value.error_dict["importe"][0].code == services.IMPORTE_EXCEDE_PENDIENTE
    factura.refresh_from_db()
    assert (factura.pagado, factura.pendiente, factura.estado) == (Decimal("30.00"), Decimal("6.30"), "emitida")


def test_settling_makes_it_pagada_and_deleting_a_payment_makes_it_emitida_again(admin, publicados):
    factura = emitida(actor=admin)
    services.pago_create(actor=admin, factura=factura, importe=Decimal("6.30"))
    ultimo = services.pago_create(actor=admin, factura=factura, importe=Decimal("30.00"), metodo="tarjeta")
    assert Factura.objects.get(pk=factura.pk).estado == EstadoFactura.PAGADA
    assert ("pago.registrado", ultimo.pk) in publicados

    services.pago_delete(actor=admin, pago=ultimo)

    factura.refresh_from_db()
    assert (factura.estado, factura.pendiente) == (EstadoFactura.EMITIDA, Decimal("30.00"))


def test_deleting_a_payment_already_deleted_is_404_and_subtracts_nothing(admin):
    # given a payment removed while another caller still holds it
    factura = emitida(actor=admin)
    services.pago_create(actor=admin, factura=factura, importe=Decimal("6.30"))
    pago = services.pago_create(actor=admin, factura=factura, importe=Decimal("10.00"))
    services.pago_delete(actor=admin, pago=pago)

    with pytest.raises(Http404):
        services.pago_delete(actor=admin, pago=pago)

    factura.refresh_from_db()
    assert factura.pagado == Decimal("6.30")


def test_a_borrador_takes_no_payment(admin):
    with pytest.raises(ValidationError) as error:
        services.pago_create(actor=admin, factura=borrador_con_lineas(actor=admin), importe=Decimal("1"))

    assert error.value.error_dict["factura"][0].code == services.FACTURA_NO_EMITIDA


def test_a_rectificativa_negates_every_line_and_voids_its_original_on_emission(admin, publicados):
    # given an emitted invoice of two lines
    original = emitida(
        actor=admin,
        lineas=[
            {"producto": ProductoFactory(precio=Decimal("10.05")), "cantidad": Decimal("0.333")},
            {"producto": ProductoFactory(), "cantidad": Decimal("2"), "descuento_pct": Decimal("7.5")},
        ],
    )

    # when it is rectified and the rectificativa emitted
    rectificativa = services.factura_rectificar(actor=admin, factura=original)
    assert Factura.objects.get(pk=original.pk).estado == EstadoFactura.EMITIDA  # not until emitted
    rectificativa = services.factura_emitir(actor=admin, factura=rectificativa)

    # then its lines and totals are the original's negated, in serie R, and the original is anulada
    assert (rectificativa.serie, rectificativa.rectifica_id, rectificativa.numero) == (
        Serie.RECTIFICATIVA,
        original.pk,
        1,
    )
    assert rectificativa.total == -original.total and rectificativa.base_imponible == -original.base_imponible
    pares = zip(original.lineas.all(), rectificativa.lineas.all(), strict=True)
    assert all(r.cantidad == -o.cantidad and r.total == -o.total for o, r in pares)
    assert Factura.objects.get(pk=original.pk).estado == EstadoFactura.ANULADA
    assert ("factura.anulada", original.pk) in publicados
    assert services.verificar_cadena(sede=original.sede)["valida"]


def test_a_borrador_or_a_rectificativa_is_not_rectified(admin):
    rectificativa = services.factura_rectificar(actor=admin, factura=emitida(actor=admin))
    services.factura_emitir(actor=admin, factura=rectificativa)

    for factura in (borrador_con_lineas(actor=admin), rectificativa):
        with pytest.raises(Conflict) as error:
            services.factura_rectificar(actor=admin, factura=factura)
        assert error.value.code == services.NO_RECTIFICABLE


def test_emission_dates_the_invoice_in_its_sedes_zone(admin, settings):
    # given a sede far east, where it is already tomorrow for much of the UTC day
    sede = SedeFactory(zona_horaria="Pacific/Kiritimati")

    factura = emitida(actor=admin, sede=sede)

    assert factura.fecha == datetime.datetime.now(sede.zona).date()
