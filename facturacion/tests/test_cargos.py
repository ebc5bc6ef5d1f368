"""Cargos automáticos: productos given at a consulta or vacuna become lines of the owner's open
borrador at that sede, in the same transaction."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Rol
from accounts.tests.factories import VeterinarioFactory
from facturacion import services
from facturacion.models import EstadoFactura, Factura
from historial.models import Consulta, Vacuna
from pacientes.tests.factories import PacienteFactory
from sedes.tests.factories import SedeFactory, sede_principal
from tests.errors import error_codes

from .factories import ProductoFactory, emitida

pytestmark = pytest.mark.django_db


def test_productos_of_a_consulta_open_a_borrador_and_a_vacuna_adds_to_it(api_client):
    # given a paciente and two products
    api = api_client(Rol.VETERINARIO)
    paciente = PacienteFactory()
    consulta_general = ProductoFactory(nombre="Consulta general", precio=Decimal("35.00"))
    vacuna_rabia = ProductoFactory(nombre="Vacuna rabia", precio=Decimal("25.00"))

    # when a consulta and then a vacuna name them
    consulta = api.post(
        "/api/v1/consultas/",
        {"paciente": paciente.pk, "motivo": "Revisión", "productos": [{"producto": consulta_general.pk}]},
        format="json",
    )
    vacuna = api.post(
        "/api/v1/vacunas/",
        {
            "paciente": paciente.pk,
            "nombre": "Rabia",
            "fecha_aplicacion": "2026-01-10",
            "productos": [{"producto": vacuna_rabia.pk, "cantidad": "2"}],
        },
        format="json",
    )

    # then the owner has one borrador at the sede with both charges
    assert consulta.status_code == 201 and vacuna.status_code == 201, (consulta.json(), vacuna.json())
    factura = Factura.objects.get(cliente=paciente.propietario)
    assert (factura.estado, factura.sede, factura.paciente) == (EstadoFactura.BORRADOR, sede_principal(), paciente)
    assert [(linea.descripcion, linea.cantidad, linea.base) for linea in factura.lineas.all()] == [
        ("Consulta general", Decimal("1.000"), Decimal("35.00")),
        ("Vacuna rabia", Decimal("2.000"), Decimal("50.00")),
    ]
    assert factura.total == Decimal("102.85")


def test_an_emitted_invoice_is_not_reopened_by_a_charge(api_client):
    api = api_client(Rol.VETERINARIO)
    paciente = PacienteFactory()
    anterior = emitida(actor=api.user, cliente=paciente.propietario)

    api.post(
        "/api/v1/consultas/",
        {"paciente": paciente.pk, "motivo": "Control", "productos": [{"producto": ProductoFactory().pk}]},
        format="json",
    )

    nueva = Factura.objects.exclude(pk=anterior.pk).get(cliente=paciente.propietario)
    assert nueva.estado == EstadoFactura.BORRADOR and nueva.lineas.count() == 1
    assert Factura.objects.get(pk=anterior.pk).lineas.count() == 1


@pytest.mark.parametrize("producto,code", [("desconocido", "does_not_exist"), ("inactivo", "producto_inactivo")])
def test_an_unknown_or_inactive_producto_refuses_the_consulta_too(api_client, producto, code):
    # given a product that does not exist, or is inactive
    api = api_client(Rol.VETERINARIO)
    paciente = PacienteFactory()
    pk = ProductoFactory(activo=False).pk if producto == "inactivo" else 999999

    response = api.post(
        "/api/v1/consultas/",
        {"paciente": paciente.pk, "motivo": "Revisión", "productos": [{"producto": pk}]},
        format="json",
    )

    # then nothing is written: no consulta, no charge
    assert error_codes(response) == {"productos.0.producto": [code]}
    assert not Consulta.objects.filter(paciente=paciente).exists()
    assert not Factura.objects.filter(cliente=paciente.propietario).exists()


def test_a_charge_at_a_sede_the_vet_does_not_work_at_refuses_the_consulta(client_for):
    # given a vet who works only at a second sede, recording a consulta at the first
    vet = VeterinarioFactory(sedes=[SedeFactory(codigo="LPA")])
    paciente = PacienteFactory()

    response = client_for(vet).post(
        "/api/v1/consultas/",
        {
            "paciente": paciente.pk,
            "sede": sede_principal().pk,
            "motivo": "Revisión",
            "productos": [{"producto": ProductoFactory().pk}],
        },
        format="json",
    )

    # then no borrador is opened at a sede the vet has no business at (and no consulta is written)
    assert error_codes(response) == {"sede": ["sede_no_permitida"]}
    assert not Factura.objects.filter(cliente=paciente.propietario).exists()
    assert not Consulta.objects.filter(paciente=paciente).exists()


def test_a_charge_at_an_inactive_sede_is_refused(admin_user):
    # given an inactive sede named by the caller (an admin works at every sede)
    paciente = PacienteFactory()
    cerrada = SedeFactory(codigo="OLD", activo=False)

    with pytest.raises(ValidationError) as error:
        services.cargos_automaticos(
            actor=admin_user,
            origen=None,
            cliente=paciente.propietario,
            paciente=paciente,
            sede=cerrada,
            productos=[{"producto": ProductoFactory().pk, "cantidad": Decimal("1")}],
        )

    assert error.value.error_dict["sede"][0].code == "sede_inactiva"
    assert not Factura.objects.filter(cliente=paciente.propietario).exists()


def test_charges_whose_sum_overflows_the_borrador_name_productos(admin_user):
    # given an open borrador near the largest total an amount holds
    paciente = PacienteFactory()
    grande = ProductoFactory(precio=Decimal("9000000000.00"), impuesto__porcentaje=Decimal("0"))
    cargo = {
        "actor": admin_user,
        "origen": None,
        "cliente": paciente.propietario,
        "paciente": paciente,
        "sede": None,
        "productos": [{"producto": grande.pk, "cantidad": Decimal("1")}],
    }
    services.cargos_automaticos(**cargo)

    # when one more such charge would take it past it, then it is refused, naming what was sent
    with pytest.raises(ValidationError) as error:
        services.cargos_automaticos(**cargo)

    assert error.value.message_dict.keys() == {"productos"}
    assert error.value.error_dict["productos"][0].code == services.IMPORTE_FUERA_DE_RANGO
    assert Factura.objects.get(cliente=paciente.propietario).lineas.count() == 1


def test_without_productos_nothing_is_charged(api_client):
    api = api_client(Rol.VETERINARIO)
    paciente = PacienteFactory()

    response = api.post(
        "/api/v1/vacunas/",
        {"paciente": paciente.pk, "nombre": "Rabia", "fecha_aplicacion": "2026-01-10"},
        format="json",
    )

    assert response.status_code == 201
    assert Vacuna.objects.filter(paciente=paciente).exists()
    assert not Factura.objects.filter(cliente=paciente.propietario).exists()


def test_cargos_append_after_the_lines_already_in_the_borrador(admin_user):
    paciente = PacienteFactory()
    services.cargos_automaticos(
        actor=admin_user,
        origen=None,
        cliente=paciente.propietario,
        paciente=paciente,
        sede=None,
        productos=[{"producto": ProductoFactory().pk, "cantidad": Decimal("1")}],
    )
    services.cargos_automaticos(
        actor=admin_user,
        origen=None,
        cliente=paciente.propietario,
        paciente=paciente,
        sede=None,
        productos=[{"producto": ProductoFactory().pk, "cantidad": Decimal("1")}],
    )

    factura = Factura.objects.get(cliente=paciente.propietario)
    assert [linea.orden for linea in factura.lineas.all()] == [0, 1]
    assert factura.total == Decimal("72.60")


def test_a_consultas_charges_go_to_the_borrador_at_the_consultas_sede(client_for):
    # given a second sede and a vet working there
    otra = SedeFactory(codigo="LPA", zona_horaria="Atlantic/Canary")
    vet = VeterinarioFactory(sedes=[otra])
    paciente = PacienteFactory()

    response = client_for(vet).post(
        "/api/v1/consultas/",
        {
            "paciente": paciente.pk,
            "sede": otra.pk,
            "motivo": "Revisión",
            "productos": [{"producto": ProductoFactory().pk}],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert Factura.objects.get(cliente=paciente.propietario).sede == otra
