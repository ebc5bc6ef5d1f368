"""/api/v1/presupuestos/: estimates with lines, their states and `facturar`."""

from decimal import Decimal

import pytest

from accounts.models import Rol
from accounts.tests.factories import AdminFactory
from clientes.tests.factories import ClienteConUsuarioFactory, ClienteFactory
from facturacion import services
from facturacion.models import Presupuesto
from sedes.tests.factories import SedeFactory
from tests.errors import error_codes

from .factories import ImpuestoFactory, ProductoFactory

pytestmark = pytest.mark.django_db


def presupuesto(actor, **kwargs):
    kwargs.setdefault("cliente", ClienteFactory())
    kwargs.setdefault("lineas", [{"producto": ProductoFactory(precio=Decimal("10.05")), "cantidad": Decimal("0.333")}])
    return services.presupuesto_create(actor=actor, **kwargs)


def test_a_presupuesto_is_written_with_lines_and_totals(api_client):
    api = api_client(Rol.RECEPCIONISTA)
    producto = ProductoFactory(precio=Decimal("19.99"), impuesto__porcentaje=Decimal("10"))

    response = api.post(
        "/api/v1/presupuestos/",
        {
            "cliente": ClienteFactory().pk,
            "valido_hasta": "2030-01-31",
            "lineas": [{"producto": producto.pk, "cantidad": "3", "descuento_pct": "7.5"}],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["estado"], body["base_imponible"], body["total_impuestos"], body["total"]) == (
        "borrador",
        "55.47",
        "5.55",
        "61.02",
    )


def test_facturar_copies_the_lines_into_a_factura_borrador_and_marks_it_facturado(api_client):
    api = api_client(Rol.ADMIN)
    estimate = presupuesto(api.user)
    assert api.post(f"/api/v1/presupuestos/{estimate.pk}/aceptar/").json()["estado"] == "aceptado"

    response = api.post(f"/api/v1/presupuestos/{estimate.pk}/facturar/")

    assert response.status_code == 201
    factura = response.json()
    assert (factura["estado"], factura["cliente"], factura["total"]) == ("borrador", estimate.cliente_id, "4.05")
    assert [linea["cantidad"] for linea in factura["lineas"]] == ["0.333"]
    after = api.get(f"/api/v1/presupuestos/{estimate.pk}/").json()
    assert (after["estado"], after["factura"]) == ("facturado", factura["id"])
    assert error_codes(api.post(f"/api/v1/presupuestos/{estimate.pk}/facturar/")) == {None: ["transicion_invalida"]}


def test_a_presupuesto_that_is_not_borrador_is_not_edited(api_client):
    api = api_client(Rol.ADMIN)
    estimate = presupuesto(api.user)
    api.post(f"/api/v1/presupuestos/{estimate.pk}/rechazar/")

    response = api.patch(f"/api/v1/presupuestos/{estimate.pk}/", {"notas": "x"}, format="json")

    assert error_codes(response) == {None: ["factura_no_editable"]}


def test_an_owner_reads_their_presupuestos_only_and_staff_those_of_their_sedes(client_for, api_client):
    admin = AdminFactory()
    owner = ClienteConUsuarioFactory()
    suyo = presupuesto(admin, cliente=owner)
    presupuesto(admin)
    en_otra_sede = presupuesto(admin, sede=SedeFactory())

    assert [p["id"] for p in client_for(owner.usuario).get("/api/v1/presupuestos/").json()["results"]] == [suyo.pk]
    assert client_for(owner.usuario).post(f"/api/v1/presupuestos/{suyo.pk}/aceptar/").status_code == 403
    assert api_client(Rol.VETERINARIO).get(f"/api/v1/presupuestos/{en_otra_sede.pk}/").status_code == 404


def test_a_presupuesto_line_whose_amounts_do_not_fit_or_of_an_inactive_producto_is_400(api_client):
    api = api_client(Rol.RECEPCIONISTA)
    cliente = ClienteFactory()
    enorme = {
        "descripcion": "x",
        "cantidad": "99999999",
        "precio_unitario": "99999999",
        "impuesto": ImpuestoFactory().pk,
    }
    inactivo = {"producto": ProductoFactory(activo=False).pk, "cantidad": "1"}

    def post(linea):
        return api.post("/api/v1/presupuestos/", {"cliente": cliente.pk, "lineas": [linea]}, format="json")

    assert error_codes(post(enorme)) == {"lineas.0.cantidad": ["importe_fuera_de_rango"]}
    assert error_codes(post(inactivo)) == {"lineas.0.producto": ["producto_inactivo"]}
    assert not Presupuesto.objects.filter(cliente=cliente).exists()


def test_a_presupuesto_of_a_producto_deactivated_since_is_not_invoiced(api_client):
    api = api_client(Rol.ADMIN)
    producto = ProductoFactory()
    borrador = presupuesto(api.user, lineas=[{"producto": producto, "cantidad": Decimal("1")}])
    producto.activo = False
    producto.save()

    response = api.post(f"/api/v1/presupuestos/{borrador.pk}/facturar/")

    assert error_codes(response) == {"lineas.0.producto": ["producto_inactivo"]}
    assert Presupuesto.objects.get(pk=borrador.pk).estado == "borrador"
