"""/api/v1/impuestos, productos, facturas, pagos: roles, scope, lines, emission and immutability."""

import shutil
import subprocess
from decimal import Decimal

import pytest

from accounts.models import Rol
from accounts.tests.factories import AdminFactory, RecepcionistaFactory
from clientes.tests.factories import ClienteConUsuarioFactory, ClienteFactory
from facturacion import services
from facturacion.models import EstadoFactura, Factura
from pacientes.tests.factories import PacienteFactory
from sedes.tests.factories import SedeFactory, sede_principal
from tests.errors import error_codes

from .factories import ImpuestoFactory, ProductoFactory, borrador_con_lineas, emitida

pytestmark = pytest.mark.django_db


# --- catálogo --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/impuestos/", "/api/v1/productos/"])
@pytest.mark.parametrize(
    "rol,read,write",
    [(Rol.ADMIN, 200, 201), (Rol.VETERINARIO, 200, 403), (Rol.RECEPCIONISTA, 200, 403), (Rol.CLIENTE, 403, 403)],
)
def test_the_catalogue_is_written_by_admin_and_read_by_staff(api_client, path, rol, read, write):
    api = api_client(rol)
    impuesto = ImpuestoFactory()
    body = (
        {"nombre": "IVA 10%", "porcentaje": "10.00"}
        if "impuestos" in path
        else {"codigo": "VAC-01", "nombre": "Vacuna rabia", "precio": "25.00", "impuesto": impuesto.pk}
    )

    assert api.get(path).status_code == read
    assert api.post(path, body, format="json").status_code == write


def test_the_catalogue_needs_authentication(anon_client):
    assert anon_client.get("/api/v1/productos/").status_code == 401


def test_a_porcentaje_over_100_is_400(api_client):
    response = api_client(Rol.ADMIN).post("/api/v1/impuestos/", {"nombre": "x", "porcentaje": "100.01"}, format="json")

    assert error_codes(response) == {"porcentaje": ["max_value"]}


# --- facturas: lines and totals --------------------------------------------------------------


def test_a_borrador_is_written_with_nested_lines_whose_amounts_are_computed(api_client):
    # given a product at 10.05 + 21% and a free line at 19.99 + 10% with a 7.5% discount
    api = api_client(Rol.RECEPCIONISTA)
    producto = ProductoFactory(precio=Decimal("10.05"), impuesto__porcentaje=Decimal("21"))
    iva10 = ImpuestoFactory(porcentaje=Decimal("10"))
    cliente = ClienteFactory()

    response = api.post(
        "/api/v1/facturas/",
        {
            "cliente": cliente.pk,
            "lineas": [
                {"producto": producto.pk, "cantidad": "0.333"},
                {
                    "descripcion": "Pienso",
                    "cantidad": "3",
                    "precio_unitario": "19.99",
                    "descuento_pct": "7.5",
                    "impuesto": iva10.pk,
                },
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(linea["descripcion"], linea["base"], linea["cuota"], linea["total"]) for linea in body["lineas"]] == [
        (producto.nombre, "3.35", "0.70", "4.05"),
        ("Pienso", "55.47", "5.55", "61.02"),
    ]
    assert (body["base_imponible"], body["total_impuestos"], body["total"]) == ("58.82", "6.25", "65.07")
    assert body["desglose_impuestos"] == [
        {"impuesto": producto.impuesto_id, "porcentaje": "21.00", "base": "3.35", "cuota": "0.70"},
        {"impuesto": iva10.pk, "porcentaje": "10.00", "base": "55.47", "cuota": "5.55"},
    ]
    assert (body["estado"], body["numero"], body["serie"], body["sede"]) == ("borrador", None, "F", sede_principal().pk)


def test_a_bad_line_names_its_position(api_client):
    api = api_client(Rol.ADMIN)
    lineas = [{"producto": ProductoFactory().pk, "cantidad": "1"}, {"producto": ProductoFactory().pk, "cantidad": "0"}]

    response = api.post("/api/v1/facturas/", {"cliente": ClienteFactory().pk, "lineas": lineas}, format="json")

    assert error_codes(response) == {"lineas.1.cantidad": ["cantidad_invalida"]}


def test_a_line_without_producto_needs_its_descripcion_precio_and_impuesto(api_client):
    response = api_client(Rol.ADMIN).post(
        "/api/v1/facturas/", {"cliente": ClienteFactory().pk, "lineas": [{"cantidad": "1"}]}, format="json"
    )

    assert error_codes(response) == {"lineas.0.descripcion": ["required"]}


def test_a_paciente_of_another_client_is_400(api_client):
    response = api_client(Rol.ADMIN).post(
        "/api/v1/facturas/", {"cliente": ClienteFactory().pk, "paciente": PacienteFactory().pk}, format="json"
    )

    assert error_codes(response) == {"paciente": ["paciente_de_otro_cliente"]}


def test_patching_lineas_replaces_every_line_of_a_borrador(api_client):
    api = api_client(Rol.ADMIN)
    factura = borrador_con_lineas(actor=api.user)
    producto = ProductoFactory(precio=Decimal("100.00"))

    response = api.patch(
        f"/api/v1/facturas/{factura.pk}/", {"lineas": [{"producto": producto.pk, "cantidad": "2"}]}, format="json"
    )

    assert response.status_code == 200
    assert [linea["base"] for linea in response.json()["lineas"]] == ["200.00"]
    assert response.json()["total"] == "242.00"


# --- emission and immutability ---------------------------------------------------------------


def test_emitting_numbers_dates_and_hashes_the_invoice(api_client):
    api = api_client(Rol.RECEPCIONISTA)
    factura = borrador_con_lineas(actor=api.user)

    response = api.post(f"/api/v1/facturas/{factura.pk}/emitir/")

    assert response.status_code == 200
    body = response.json()
    assert body["estado"] == "emitida" and body["numero"] == 1
    assert body["codigo"] == f"PRAL-F-{body['fecha'][:4]}-000001"
    assert len(body["hash"]) == 64 and body["pendiente"] == body["total"] == "36.30"


def test_emitting_an_empty_borrador_is_400(api_client):
    api = api_client(Rol.ADMIN)
    factura = borrador_con_lineas(actor=api.user, lineas=[])

    assert error_codes(api.post(f"/api/v1/facturas/{factura.pk}/emitir/")) == {"lineas": ["factura_vacia"]}


@pytest.mark.parametrize(
    "method,body",
    [
        ("put", {"cliente": None, "notas": "cambio"}),
        ("patch", {"notas": "cambio"}),
        ("patch", {"lineas": []}),
        ("delete", None),
    ],
)
def test_an_emitted_invoice_refuses_every_change_through_the_api(api_client, method, body):
    api = api_client(Rol.ADMIN)
    factura = emitida(actor=api.user)
    if body and "cliente" in body:
        body["cliente"] = factura.cliente_id

    response = getattr(api, method)(f"/api/v1/facturas/{factura.pk}/", body, format="json")

    assert response.status_code == 409
    assert error_codes(response) == {None: ["factura_no_editable"]}
    stored = Factura.objects.get(pk=factura.pk)
    assert (stored.notas, stored.total, stored.lineas.count()) == (factura.notas, factura.total, 1)


def test_emitting_twice_is_409(api_client):
    api = api_client(Rol.ADMIN)
    factura = emitida(actor=api.user)

    assert error_codes(api.post(f"/api/v1/facturas/{factura.pk}/emitir/")) == {None: ["factura_no_editable"]}


def test_verificar_cadena_finds_the_invoice_tampered_with_in_sql(api_client):
    from .test_services import tamper

    api = api_client(Rol.ADMIN)
    facturas = [emitida(actor=api.user) for _ in range(3)]
    url = f"/api/v1/facturas/verificar-cadena/?sede={facturas[0].sede_id}"
    assert api.get(url).json() == {"valida": True, "primera_rota": None}

    tamper("UPDATE facturacion_lineafactura SET descripcion = 'otra cosa' WHERE factura_id = %s", [facturas[1].pk])

    assert api.get(url).json() == {"valida": False, "primera_rota": facturas[1].pk}


def test_verificar_cadena_of_a_sede_one_does_not_work_at_is_400(api_client):
    api = api_client(Rol.RECEPCIONISTA)

    response = api.get(f"/api/v1/facturas/verificar-cadena/?sede={SedeFactory().pk}")

    assert error_codes(response) == {"sede": ["does_not_exist"]}


def test_rectificar_creates_an_r_borrador_that_voids_the_original_when_emitted(api_client):
    api = api_client(Rol.VETERINARIO)
    original = emitida(actor=api.user)

    response = api.post(f"/api/v1/facturas/{original.pk}/rectificar/")
    assert response.status_code == 201
    body = response.json()
    assert (body["serie"], body["rectifica"], body["estado"], body["total"]) == ("R", original.pk, "borrador", "-36.30")
    emitted = api.post(f"/api/v1/facturas/{body['id']}/emitir/").json()

    assert emitted["codigo"].startswith("PRAL-R-")
    assert api.get(f"/api/v1/facturas/{original.pk}/").json()["estado"] == "anulada"


# --- pagos -----------------------------------------------------------------------------------


def test_an_overpayment_is_400_and_a_settling_payment_makes_it_pagada(api_client):
    api = api_client(Rol.RECEPCIONISTA)
    factura = emitida(actor=api.user)  # 36.30

    over = api.post("/api/v1/pagos/", {"factura": factura.pk, "importe": "36.31"}, format="json")
    settle = api.post("/api/v1/pagos/", {"factura": factura.pk, "importe": "36.30", "metodo": "bizum"}, format="json")

    assert over.status_code == 400
    assert error_codes(over) == {"importe": ["importe_excede_pendiente"]}
    assert settle.status_code == 201
    assert settle.json()["creado_por"] == api.user.pk
    body = api.get(f"/api/v1/facturas/{factura.pk}/").json()
    assert (body["estado"], body["pagado"], body["pendiente"]) == ("pagada", "36.30", "0.00")


def test_payments_are_never_edited_and_only_an_admin_deletes_one(api_client):
    admin = api_client(Rol.ADMIN)
    factura = emitida(actor=admin.user)
    pago = services.pago_create(actor=admin.user, factura=factura, importe=factura.total)
    recepcion = api_client(Rol.RECEPCIONISTA)

    assert admin.patch(f"/api/v1/pagos/{pago.pk}/", {"importe": "1.00"}, format="json").status_code == 405
    assert recepcion.delete(f"/api/v1/pagos/{pago.pk}/").status_code == 403
    assert admin.delete(f"/api/v1/pagos/{pago.pk}/").status_code == 204
    assert Factura.objects.get(pk=factura.pk).estado == EstadoFactura.EMITIDA


def test_a_payment_of_a_borrador_is_400(api_client):
    api = api_client(Rol.ADMIN)
    factura = borrador_con_lineas(actor=api.user)

    response = api.post("/api/v1/pagos/", {"factura": factura.pk, "importe": "1.00"}, format="json")

    assert error_codes(response) == {"factura": ["factura_no_emitida"]}


# --- scope -----------------------------------------------------------------------------------


def test_staff_see_only_the_invoices_of_their_sedes(client_for):
    # given an invoice at each of two sedes and a receptionist of the second
    madrid = SedeFactory(codigo="MAD")
    admin = AdminFactory()
    aqui = borrador_con_lineas(actor=admin, sede=madrid)
    alli = emitida(actor=admin)
    api = client_for(RecepcionistaFactory(sedes=[madrid]))

    assert [f["id"] for f in api.get("/api/v1/facturas/").json()["results"]] == [aqui.pk]
    assert api.get(f"/api/v1/facturas/{alli.pk}/").status_code == 404
    assert api.post(f"/api/v1/facturas/{alli.pk}/rectificar/").status_code == 404
    assert api.post("/api/v1/pagos/", {"factura": alli.pk, "importe": "1.00"}, format="json").status_code == 400
    other = api.post("/api/v1/facturas/", {"cliente": aqui.cliente_id, "sede": alli.sede_id}, format="json")
    assert error_codes(other) == {"sede": ["sede_no_permitida"]}


def test_an_owner_sees_only_their_emitted_invoices_and_their_payments(client_for):
    # given an owner with an emitted invoice (paid in part) and a borrador, and another owner's invoice
    admin = AdminFactory()
    owner = ClienteConUsuarioFactory()
    suya = emitida(actor=admin, cliente=owner)
    pago = services.pago_create(actor=admin, factura=suya, importe=Decimal("1.00"))
    borrador = borrador_con_lineas(actor=admin, cliente=owner)
    ajena = emitida(actor=admin)
    api = client_for(owner.usuario)

    assert [f["id"] for f in api.get("/api/v1/facturas/").json()["results"]] == [suya.pk]
    assert api.get(f"/api/v1/facturas/{borrador.pk}/").status_code == 404
    assert api.get(f"/api/v1/facturas/{ajena.pk}/").status_code == 404
    assert [p["id"] for p in api.get("/api/v1/pagos/").json()["results"]] == [pago.pk]
    assert api.post("/api/v1/facturas/", {"cliente": owner.pk}, format="json").status_code == 403
    assert api.post(f"/api/v1/facturas/{suya.pk}/emitir/").status_code == 403
    assert api.get(f"/api/v1/facturas/{suya.pk}/pdf/").status_code == 200


# --- resumen ---------------------------------------------------------------------------------


def test_resumen_totals_emitted_invoices_per_impuesto_and_payments_per_method(api_client):
    api = api_client(Rol.ADMIN)
    iva21 = ProductoFactory(precio=Decimal("100.00"), impuesto__porcentaje=Decimal("21"))
    iva10 = ProductoFactory(precio=Decimal("10.00"), impuesto__porcentaje=Decimal("10"))
    una = emitida(actor=api.user, lineas=[{"producto": iva21, "cantidad": 1}, {"producto": iva10, "cantidad": 3}])
    emitida(actor=api.user, lineas=[{"producto": iva21, "cantidad": 2}])
    borrador_con_lineas(actor=api.user, lineas=[{"producto": iva21, "cantidad": 50}])  # not counted
    services.pago_create(actor=api.user, factura=una, importe=Decimal("100.00"), metodo="tarjeta")
    services.pago_create(actor=api.user, factura=una, importe=Decimal("5.00"), metodo="efectivo")

    fecha = una.fecha.isoformat()
    body = api.get(f"/api/v1/facturas/resumen/?desde={fecha}&hasta={fecha}").json()

    assert body["num_facturas"] == 2
    assert [(f["porcentaje"], f["base"], f["cuota"], f["total"]) for f in body["por_impuesto"]] == [
        ("10.00", "30.00", "3.00", "33.00"),
        ("21.00", "300.00", "63.00", "363.00"),
    ]
    assert body["por_metodo"] == [{"metodo": "efectivo", "importe": "5.00"}, {"metodo": "tarjeta", "importe": "100.00"}]
    assert (body["base_imponible"], body["total_impuestos"], body["total"]) == ("330.00", "66.00", "396.00")


def test_resumen_answers_totals_beyond_one_invoices_digits(api_client):
    # given two emitted invoices of 9,000,000,000.00 each at 0%: their sum needs 13 digits
    api = api_client(Rol.ADMIN)
    caro = ProductoFactory(precio=Decimal("9000000000.00"), impuesto__porcentaje=Decimal("0"))
    una = emitida(actor=api.user, lineas=[{"producto": caro, "cantidad": 1}])
    otra = emitida(actor=api.user, lineas=[{"producto": caro, "cantidad": 1}])
    services.pago_create(actor=api.user, factura=una, importe=Decimal("9000000000.00"), metodo="tarjeta")
    services.pago_create(actor=api.user, factura=otra, importe=Decimal("9000000000.00"), metodo="tarjeta")

    response = api.get("/api/v1/facturas/resumen/")

    assert response.status_code == 200
    body = response.json()
    assert (body["base_imponible"], body["total"]) == ("18000000000.00", "18000000000.00")
    assert [(f["base"], f["total"]) for f in body["por_impuesto"]] == [("18000000000.00", "18000000000.00")]
    assert body["por_metodo"] == [{"metodo": "tarjeta", "importe": "18000000000.00"}]


def test_resumen_refuses_an_unknown_parameter(api_client):
    response = api_client(Rol.ADMIN).get("/api/v1/facturas/resumen/?mes=3")

    assert error_codes(response) == {"mes": ["unknown_parameter"]}


# --- pdf -------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (Debian's poppler-utils) is not installed")
def test_the_pdf_holds_the_codigo_the_client_the_lines_and_the_total(api_client, tmp_path):
    api = api_client(Rol.ADMIN)
    producto = ProductoFactory(nombre="Consulta general", precio=Decimal("10.05"))
    factura = emitida(actor=api.user, lineas=[{"producto": producto, "cantidad": Decimal("0.333")}])

    response = api.get(f"/api/v1/facturas/{factura.pk}/pdf/")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "factura.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert factura.codigo in text
    assert "4.05 EUR" in text  # 3.35 + 0.70
    assert "Consulta general" in text and factura.cliente.apellidos in text
    assert sede_principal().nombre in text


def test_a_vet_reads_but_a_cliente_does_not_create_a_factura(api_client):
    # the role table: staff create, an owner only reads
    assert api_client(Rol.VETERINARIO).post("/api/v1/facturas/", {"cliente": ClienteFactory().pk}).status_code == 201


def test_the_conflict_is_told_in_english_when_asked(api_client):
    api = api_client(Rol.ADMIN)
    factura = emitida(actor=api.user)

    response = api.patch(f"/api/v1/facturas/{factura.pk}/", {"notas": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["errors"][0]["detail"] == "Only a draft can be changed or deleted."


# --- amounts out of range --------------------------------------------------------------------


@pytest.mark.parametrize(
    "cantidad,precio",
    [("1", "9999999999.99"), ("999999999.999", "30.00"), ("99999999", "99999999")],
)
def test_a_line_whose_amounts_do_not_fit_is_400_on_its_cantidad(api_client, cantidad, precio):
    api = api_client(Rol.ADMIN)
    cliente = ClienteFactory()
    linea = {"descripcion": "x", "cantidad": cantidad, "precio_unitario": precio, "impuesto": ImpuestoFactory().pk}

    response = api.post(
        "/api/v1/facturas/",
        {"cliente": cliente.pk, "lineas": [{**linea, "cantidad": "1", "precio_unitario": "1"}, linea]},
        format="json",
    )

    assert error_codes(response) == {"lineas.1.cantidad": ["importe_fuera_de_rango"]}
    assert not Factura.objects.filter(cliente=cliente).exists()


def test_lines_that_fit_but_whose_sum_does_not_are_400_on_lineas(api_client):
    # given a borrador, patched with two lines of 6,000,000,000.00 at 0% (each fits, the sum does not)
    api = api_client(Rol.ADMIN)
    factura = borrador_con_lineas(actor=api.user)
    linea = {"descripcion": "x", "cantidad": "1", "precio_unitario": "6000000000.00"}
    linea["impuesto"] = ImpuestoFactory(porcentaje=Decimal("0")).pk

    response = api.patch(f"/api/v1/facturas/{factura.pk}/", {"lineas": [linea, linea]}, format="json")

    # then the error names what the caller sent, and the borrador keeps its lines
    assert error_codes(response) == {"lineas": ["importe_fuera_de_rango"]}
    stored = Factura.objects.get(pk=factura.pk)
    assert (stored.lineas.count(), stored.total) == (1, Decimal("36.30"))


# --- inactive catalogue ----------------------------------------------------------------------


def test_a_line_of_an_inactive_producto_or_impuesto_is_400(api_client):
    api = api_client(Rol.ADMIN)
    cliente = ClienteFactory()
    producto_inactivo = {"producto": ProductoFactory(activo=False).pk, "cantidad": "1"}
    impuesto_inactivo = {
        "descripcion": "x",
        "cantidad": "1",
        "precio_unitario": "1.00",
        "impuesto": ImpuestoFactory(activo=False).pk,
    }
    de_impuesto_inactivo = {"producto": ProductoFactory(impuesto__activo=False).pk, "cantidad": "1"}

    def post(linea):
        return api.post("/api/v1/facturas/", {"cliente": cliente.pk, "lineas": [linea]}, format="json")

    assert error_codes(post(producto_inactivo)) == {"lineas.0.producto": ["producto_inactivo"]}
    assert error_codes(post(impuesto_inactivo)) == {"lineas.0.impuesto": ["impuesto_inactivo"]}
    assert error_codes(post(de_impuesto_inactivo)) == {"lineas.0.producto": ["impuesto_inactivo"]}
    assert not Factura.objects.filter(cliente=cliente).exists()


def test_producto_codigos_are_unique_whatever_their_case(api_client):
    api = api_client(Rol.ADMIN)
    existente = ProductoFactory(codigo="cons")

    response = api.post(
        "/api/v1/productos/",
        {"codigo": "CONS", "nombre": "Consulta", "precio": "30.00", "impuesto": existente.impuesto_id},
        format="json",
    )

    assert error_codes(response) == {"codigo": ["unique"]}


# --- rectificativas --------------------------------------------------------------------------


def test_an_invoice_is_rectified_once_while_its_rectificativa_exists(api_client):
    api = api_client(Rol.ADMIN)
    original = emitida(actor=api.user)
    url = f"/api/v1/facturas/{original.pk}/rectificar/"

    primera = api.post(url)
    assert primera.status_code == 201
    # a second one while the first is a borrador, and once it is emitted, is refused
    assert error_codes(api.post(url)) == {None: ["ya_rectificada"]}
    assert api.post(f"/api/v1/facturas/{primera.json()['id']}/emitir/").status_code == 200
    assert api.post(url).status_code == 409
    assert Factura.objects.filter(rectifica=original).count() == 1


def test_a_deleted_rectificativa_borrador_lets_the_invoice_be_rectified_again(api_client):
    api = api_client(Rol.ADMIN)
    original = emitida(actor=api.user)
    borrador = api.post(f"/api/v1/facturas/{original.pk}/rectificar/").json()

    assert api.delete(f"/api/v1/facturas/{borrador['id']}/").status_code == 204
    assert api.post(f"/api/v1/facturas/{original.pk}/rectificar/").status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"sede": "otra"},
        {"cliente": "otro"},
        {"lineas": [{"descripcion": "x", "cantidad": "-1000", "precio_unitario": "1000.00"}]},
        {"notas": "x"},
    ],
)
def test_a_rectificativa_borrador_is_not_edited(api_client, body):
    api = api_client(Rol.ADMIN)
    original = emitida(actor=api.user)
    rectificativa = services.factura_rectificar(actor=api.user, factura=original)
    if "sede" in body:
        body = {"sede": SedeFactory(codigo="OTRA").pk}
    if "cliente" in body:
        body = {"cliente": ClienteFactory().pk}
    if "lineas" in body:
        body["lineas"][0]["impuesto"] = ImpuestoFactory().pk

    response = api.patch(f"/api/v1/facturas/{rectificativa.pk}/", body, format="json")

    assert response.status_code == 409
    assert error_codes(response) == {None: ["factura_no_editable"]}
    stored = Factura.objects.get(pk=rectificativa.pk)
    assert (stored.sede_id, stored.cliente_id, stored.total, stored.notas) == (
        original.sede_id,
        original.cliente_id,
        -original.total,
        rectificativa.notas,
    )


# --- emission of what is already settled -----------------------------------------------------


def test_an_invoice_with_nothing_to_pay_is_pagada_on_emission(api_client):
    api = api_client(Rol.ADMIN)
    factura = borrador_con_lineas(
        actor=api.user, lineas=[{"producto": ProductoFactory(), "cantidad": Decimal("1"), "descuento_pct": 100}]
    )

    body = api.post(f"/api/v1/facturas/{factura.pk}/emitir/").json()

    assert (body["estado"], body["total"], body["pendiente"]) == ("pagada", "0.00", "0.00")


def test_a_rectificativa_stays_emitida_with_what_is_owed_back_as_its_pendiente(api_client):
    api = api_client(Rol.ADMIN)
    rectificativa = services.factura_rectificar(actor=api.user, factura=emitida(actor=api.user))

    body = api.post(f"/api/v1/facturas/{rectificativa.pk}/emitir/").json()

    assert (body["estado"], body["pendiente"]) == ("emitida", "-36.30")


# --- the date of a payment -------------------------------------------------------------------


@pytest.mark.parametrize("fecha,code", [("2999-12-31", "fecha_futura"), ("1800-01-01", "pago_anterior_a_factura")])
def test_a_payment_dated_in_the_future_or_before_its_invoice_is_400(api_client, fecha, code):
    api = api_client(Rol.ADMIN)
    factura = emitida(actor=api.user)

    response = api.post("/api/v1/pagos/", {"factura": factura.pk, "importe": "1.00", "fecha": fecha}, format="json")

    assert error_codes(response) == {"fecha": [code]}
    assert not factura.pagos.exists()


def test_a_payment_is_dated_by_default_on_its_sedes_local_today(api_client):
    import datetime

    # given a sede far east, where it is already tomorrow for much of the UTC day
    api = api_client(Rol.ADMIN)
    sede = SedeFactory(codigo="KIR", zona_horaria="Pacific/Kiritimati")
    factura = emitida(actor=api.user, sede=sede)

    response = api.post("/api/v1/pagos/", {"factura": factura.pk, "importe": "1.00"}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["fecha"] == datetime.datetime.now(sede.zona).date().isoformat() == factura.fecha.isoformat()
