"""Concurrent emissions and payments on PostgreSQL: the counter row and the factura's lock.
(A transactional test starts without the migrations' sede: each names its own.)"""

from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import AdminFactory, RecepcionistaFactory
from conftest import bearer, run_at_once
from facturacion import services
from facturacion.models import Factura, Pago
from sedes.tests.factories import SedeFactory

from .factories import borrador_con_lineas, emitida

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def post(user, path, data=None):
    def call():
        api = APIClient(raise_request_exception=False)
        api.credentials(**bearer(user))
        return api.post(path, data or {}, format="json").status_code

    return call


def test_twenty_concurrent_emissions_in_one_series_give_twenty_consecutive_numbers():
    # given 20 borradores of one sede, emitted at once by 20 requests
    sede = SedeFactory()
    recepcion = RecepcionistaFactory(sedes=[sede])
    borradores = [borrador_con_lineas(actor=recepcion, sede=sede) for _ in range(20)]

    statuses = run_at_once([post(recepcion, f"/api/v1/facturas/{f.pk}/emitir/") for f in borradores])

    # then every one was emitted, numbered 1..20 with no gap and no duplicate, in one valid chain
    assert statuses == [200] * 20
    numeros = sorted(Factura.objects.filter(pk__in=[f.pk for f in borradores]).values_list("numero", flat=True))
    assert numeros == list(range(1, 21))
    assert services.verificar_cadena(sede=borradores[0].sede) == {"valida": True, "primera_rota": None}


def test_concurrent_payments_never_overpay_an_invoice():
    # given an invoice of 36.30 and ten payments of 10.00 sent at once
    admin = AdminFactory()
    factura = emitida(actor=admin, sede=SedeFactory())
    pago = {"factura": factura.pk, "importe": "10.00"}

    statuses = run_at_once([post(admin, "/api/v1/pagos/", pago) for _ in range(10)])

    # then three went through and the rest were refused: what is paid never exceeds the total
    assert sorted(statuses) == [201] * 3 + [400] * 7
    factura.refresh_from_db()
    assert factura.pagado == Decimal("30.00") == sum(p.importe for p in Pago.objects.filter(factura=factura))


def test_concurrent_rectificar_calls_make_one_rectificativa():
    # given an emitted invoice and ten rectificar requests sent at once
    admin = AdminFactory()
    original = emitida(actor=admin, sede=SedeFactory())

    statuses = run_at_once([post(admin, f"/api/v1/facturas/{original.pk}/rectificar/") for _ in range(10)])

    # then one made the rectificativa and the others found it (409 ya_rectificada)
    assert sorted(statuses) == [201] + [409] * 9
    assert Factura.objects.filter(rectifica=original).count() == 1


def test_emitting_a_rectificativa_while_its_original_is_paid_never_deadlocks():
    # given a rectificativa borrador and its original, with a payment of the original at once
    admin = AdminFactory()
    original = emitida(actor=admin, sede=SedeFactory())
    rectificativa = services.factura_rectificar(actor=admin, factura=original)
    pago = {"factura": original.pk, "importe": "1.00"}

    statuses = run_at_once(
        [post(admin, f"/api/v1/facturas/{rectificativa.pk}/emitir/"), post(admin, "/api/v1/pagos/", pago)]
    )

    # then the emission went through (the payment before it, or refused after: the original is anulada)
    assert statuses[0] == 200
    assert statuses[1] in (201, 400)
    assert Factura.objects.get(pk=original.pk).estado == "anulada"


def test_two_concurrent_deletes_of_a_payment_subtract_it_once():
    # given an invoice with two payments, one of them deleted by two requests at once
    admin = AdminFactory()
    factura = emitida(actor=admin, sede=SedeFactory())
    services.pago_create(actor=admin, factura=factura, importe=Decimal("6.30"))
    pago = services.pago_create(actor=admin, factura=factura, importe=Decimal("10.00"))

    def delete():
        api = APIClient(raise_request_exception=False)
        api.credentials(**bearer(admin))
        return api.delete(f"/api/v1/pagos/{pago.pk}/").status_code

    statuses = run_at_once([delete, delete])

    # then one removed it and the other found it gone: pagado lost it once
    assert sorted(statuses) == [204, 404]
    factura.refresh_from_db()
    assert factura.pagado == Decimal("6.30") == sum(p.importe for p in Pago.objects.filter(factura=factura))
