"""Queries per request of every list endpoint: constant whatever the page size."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.test import APIClient

from accounts.models import Rol
from accounts.tests.factories import UserFactory, VeterinarioFactory
from citas.tests.factories import BloqueoFactory, CitaFactory, HorarioFactory, manana_a_las
from clientes.tests.factories import ClienteConUsuarioFactory, ClienteFactory
from conftest import bearer
from core import events
from facturacion import services as facturacion
from facturacion.tests.factories import ProductoFactory, emitida
from historial.tests.factories import ConsultaFactory, VacunaFactory
from integraciones.tests.factories import WebhookFactory, integracion_con_clave
from pacientes.tests.factories import PacienteFactory
from recordatorios.tests.factories import MensajeFactory, PlantillaFactory
from sedes.tests.factories import SedeFactory, sede_principal

# Endpoint -> the most queries one request may run (auth user + count + page + joins; the users'
# sedes are one more, prefetched; the vets' list reads once which sedes the caller may know of;
# the reminders read the sedes' zones once).
BUDGET = {
    "/api/v1/usuarios/": 4,
    "/api/v1/veterinarios/": 5,
    "/api/v1/sedes/": 3,
    "/api/v1/clientes/": 3,
    "/api/v1/clientes/{cliente}/pacientes/": 4,
    "/api/v1/pacientes/": 3,
    "/api/v1/consultas/": 3,
    "/api/v1/vacunas/": 3,
    "/api/v1/citas/": 3,
    "/api/v1/horarios/": 3,
    "/api/v1/bloqueos/": 3,
    "/api/v1/recordatorios/": 4,
    "/api/v1/impuestos/": 3,
    "/api/v1/productos/": 3,
    "/api/v1/facturas/": 4,  # + the lines of the page's facturas
    "/api/v1/presupuestos/": 4,  # + the lines of the page's presupuestos
    "/api/v1/pagos/": 3,
    "/api/v1/eventos/": 3,
    "/api/v1/webhooks/": 3,
    "/api/v1/integraciones/": 4,  # + the sedes of the page's integraciones
    "/api/v1/plantillas/": 3,
    "/api/v1/mensajes/": 3,
}
PAGE_SIZES = (1, 20, 100)


@pytest.fixture
def dataset(db):
    """More than 100 rows behind every list."""
    vet = VeterinarioFactory()
    cliente = ClienteConUsuarioFactory()
    admin = UserFactory(rol=Rol.ADMIN)
    sede = sede_principal()
    hoy = datetime.date.today()
    for i in range(105):
        paciente = PacienteFactory(propietario=cliente)
        inicio = manana_a_las(8) + datetime.timedelta(days=i // 10, minutes=30 * (i % 10))
        CitaFactory(paciente=paciente, veterinario=vet, inicio=inicio, fin=inicio + datetime.timedelta(minutes=30))
        ConsultaFactory(paciente=paciente, veterinario=vet)
        vacuna = VacunaFactory(paciente=paciente, proxima_dosis=hoy + datetime.timedelta(days=i % 10))
        MensajeFactory(vacuna=vacuna)
        BloqueoFactory(
            veterinario=vet,
            inicio=manana_a_las(20) + datetime.timedelta(days=i),
            fin=manana_a_las(21) + datetime.timedelta(days=i),
        )
        HorarioFactory(veterinario=VeterinarioFactory())
        UserFactory(rol=Rol.RECEPCIONISTA)
        ClienteFactory()
        SedeFactory()
        lineas = [{"producto": ProductoFactory(), "cantidad": 1}, {"producto": ProductoFactory(), "cantidad": 2}]
        factura = emitida(actor=admin, cliente=cliente, lineas=lineas)
        facturacion.pago_create(actor=admin, factura=factura, importe=Decimal("1.00"))
        facturacion.presupuesto_create(actor=admin, cliente=cliente, sede=factura.sede, lineas=lineas)
        events.publish("cliente.creado", instance=ClienteFactory())
        WebhookFactory(sede=sede)
        integracion_con_clave(permisos=["citas:read"], sedes=[sede])
        PlantillaFactory(sede=SedeFactory())
    return {"cliente": cliente.id}


def test_every_list_endpoint_has_a_budget():
    lists = {
        path
        for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints()
        if method == "GET" and path.startswith("/api/v1/") and getattr(callback, "actions", {}).get("get") == "list"
    }
    normalised = {p.replace("{cliente_pk}", "{cliente}") for p in lists}

    assert normalised == set(BUDGET)


@pytest.mark.parametrize("path", sorted(BUDGET))
def test_queries_do_not_grow_with_the_page_size(dataset, path):
    api = APIClient()
    api.credentials(**bearer(UserFactory(rol=Rol.ADMIN)))
    url = path.format(**dataset)
    counts = []
    for page_size in PAGE_SIZES:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url, {"page_size": page_size})
        assert response.status_code == 200, response.content[:200]
        assert len(response.json()["results"]) == page_size
        counts.append(len(queries))

    assert len(set(counts)) == 1, f"{path}: {counts} queries at page sizes {PAGE_SIZES}"
    assert counts[0] <= BUDGET[path]
