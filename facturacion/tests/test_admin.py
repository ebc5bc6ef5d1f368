"""Billing in the admin: borradores with their lines through the services, emitted invoices
read-only, the emitir / rectificar actions and the payment inline."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clientes.tests.factories import ClienteFactory
from facturacion import services
from facturacion.models import EstadoFactura, Factura, Serie
from sedes.tests.factories import SedeFactory, sede_principal

from .factories import ProductoFactory, borrador_con_lineas, emitida

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_web(client, admin_user):
    client.force_login(admin_user)
    return client


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_a_borrador_is_added_with_its_lines_and_the_services_compute_the_totals(admin_web):
    cliente = ClienteFactory()
    producto = ProductoFactory(precio=Decimal("10.05"), impuesto__porcentaje=Decimal("21"))

    response = admin_web.post(
        reverse("admin:facturacion_factura_add"),
        {
            "sede": sede_principal().pk,
            "cliente": cliente.pk,
            "notas": "",
            **management("lineas", 1),
            **management("pagos", 0),
            "lineas-0-producto": producto.pk,
            "lineas-0-cantidad": "0.333",
            "lineas-0-descuento_pct": "0",
        },
    )

    assert response.status_code == 302
    factura = Factura.objects.get(cliente=cliente)
    assert (factura.total, factura.lineas.get().descripcion) == (Decimal("4.05"), producto.nombre)


def test_a_line_with_neither_producto_nor_descripcion_is_a_form_error(admin_web):
    cliente = ClienteFactory()

    response = admin_web.post(
        reverse("admin:facturacion_factura_add"),
        {
            "sede": sede_principal().pk,
            "cliente": cliente.pk,
            **management("lineas", 1),
            **management("pagos", 0),
            "lineas-0-cantidad": "1",
            "lineas-0-descuento_pct": "0",
        },
    )

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == ["Este campo es requerido."]
    assert not Factura.objects.filter(cliente=cliente).exists()


def test_an_emitted_invoice_is_read_only_in_the_admin(admin_web, admin_user):
    factura = emitida(actor=admin_user)
    url = reverse("admin:facturacion_factura_change", args=[factura.pk])

    page = admin_web.get(url)
    admin_web.post(
        url, {"notas": "cambiada", "cliente": ClienteFactory().pk, **management("lineas", 0), **management("pagos", 0)}
    )
    delete = admin_web.post(reverse("admin:facturacion_factura_delete", args=[factura.pk]), {"post": "yes"})

    assert page.status_code == 200 and factura.codigo in page.content.decode()
    assert 'name="notas"' not in page.content.decode()
    assert delete.status_code == 403
    stored = Factura.objects.get(pk=factura.pk)
    assert (stored.notas, stored.cliente_id, stored.hash) == (factura.notas, factura.cliente_id, factura.hash)


def test_the_emitir_and_rectificar_actions_go_through_the_services(admin_web, admin_user):
    borrador = borrador_con_lineas(actor=admin_user)
    changelist = reverse("admin:facturacion_factura_changelist")

    admin_web.post(changelist, {"action": "emitir", "_selected_action": [borrador.pk]})
    borrador.refresh_from_db()
    admin_web.post(changelist, {"action": "rectificar", "_selected_action": [borrador.pk]})

    assert (borrador.estado, borrador.numero) == (EstadoFactura.EMITIDA, 1)
    rectificativa = Factura.objects.get(rectifica=borrador)
    assert (rectificativa.serie, rectificativa.total) == (Serie.RECTIFICATIVA, -borrador.total)


def test_a_payment_added_inline_settles_the_invoice(admin_web, admin_user):
    factura = emitida(actor=admin_user)

    response = admin_web.post(
        reverse("admin:facturacion_factura_change", args=[factura.pk]),
        {
            **management("lineas", 0),
            **management("pagos", 1),
            "pagos-0-fecha": factura.fecha.isoformat(),
            "pagos-0-importe": "36.30",
            "pagos-0-metodo": "tarjeta",
            "pagos-0-referencia": "TPV 1",
        },
    )

    assert response.status_code == 302
    factura.refresh_from_db()
    assert (factura.estado, factura.pagado) == (EstadoFactura.PAGADA, Decimal("36.30"))
    assert factura.pagos.get().creado_por == admin_user


def test_staff_see_in_the_admin_only_the_invoices_of_their_sedes(web, admin_user):
    # given an invoice at the receptionist's sede and one at another sede
    aqui = emitida(actor=admin_user)
    alli = emitida(actor=admin_user, sede=SedeFactory(codigo="LEJOS"))
    client = web("recepcionista")

    changelist = client.get(reverse("admin:facturacion_factura_changelist")).content.decode()
    ajena = client.get(reverse("admin:facturacion_factura_change", args=[alli.pk]))

    assert aqui.codigo in changelist and alli.codigo not in changelist
    assert ajena.status_code == 302  # Django's "does not exist" redirect to the admin index


def test_a_rectificativa_borrador_is_read_only_in_the_admin_but_may_be_deleted(admin_web, admin_user):
    original = emitida(actor=admin_user)
    rectificativa = services.factura_rectificar(actor=admin_user, factura=original)
    url = reverse("admin:facturacion_factura_change", args=[rectificativa.pk])

    page = admin_web.get(url)
    admin_web.post(
        url, {"notas": "cambiada", "cliente": ClienteFactory().pk, **management("lineas", 0), **management("pagos", 0)}
    )

    assert page.status_code == 200 and 'name="notas"' not in page.content.decode()
    stored = Factura.objects.get(pk=rectificativa.pk)
    assert (stored.notas, stored.cliente_id, stored.total) == (
        rectificativa.notas,
        original.cliente_id,
        -original.total,
    )
    delete = admin_web.post(reverse("admin:facturacion_factura_delete", args=[rectificativa.pk]), {"post": "yes"})
    assert delete.status_code == 302 and not Factura.objects.filter(pk=rectificativa.pk).exists()
