import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Rol
from historial.tests.factories import ConsultaFactory, VacunaFactory
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/pacientes/{}/{}/"


def hace(dias):
    return timezone.now() - datetime.timedelta(days=dias)


@pytest.fixture
def paciente_con_historia(db):
    from citas.tests.factories import CitaFactory

    paciente = PacienteFactory()
    for d in (30, 2, 10):
        ConsultaFactory(paciente=paciente, fecha=hace(d), peso_kg=Decimal(f"{d}.50"))
    ConsultaFactory(paciente=paciente, fecha=hace(5), peso_kg=None)
    for d in (100, 3):
        VacunaFactory(paciente=paciente, fecha_aplicacion=timezone.localdate() - datetime.timedelta(days=d))
    for d in (1, 8):
        CitaFactory(paciente=paciente, inicio=timezone.now() + datetime.timedelta(days=d))
    return paciente


def test_historial_lists_everything_newest_first(client_for, veterinario, paciente_con_historia):
    response = client_for(veterinario).get(URL.format(paciente_con_historia.id, "historial"))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"paciente", "consultas", "vacunas", "citas"}
    assert body["paciente"]["id"] == paciente_con_historia.id
    fechas = [c["fecha"] for c in body["consultas"]]
    assert len(fechas) == 4 and fechas == sorted(fechas, reverse=True)
    aplicaciones = [v["fecha_aplicacion"] for v in body["vacunas"]]
    assert len(aplicaciones) == 2 and aplicaciones == sorted(aplicaciones, reverse=True)
    inicios = [c["inicio"] for c in body["citas"]]
    assert len(inicios) == 2 and inicios == sorted(inicios, reverse=True)


def test_historial_runs_a_constant_number_of_queries(
    client_for, veterinario, paciente_con_historia, django_assert_max_num_queries
):
    api = client_for(veterinario)

    with django_assert_max_num_queries(5):
        assert api.get(URL.format(paciente_con_historia.id, "historial")).status_code == 200


def test_pesos_lists_weighed_consultas_oldest_first(client_for, veterinario, paciente_con_historia):
    response = client_for(veterinario).get(URL.format(paciente_con_historia.id, "pesos"))

    assert response.status_code == 200
    pesos = response.json()
    assert [p["peso_kg"] for p in pesos] == ["30.50", "10.50", "2.50"]
    assert set(pesos[0]) == {"fecha", "peso_kg", "consulta"}
    assert all(isinstance(p["consulta"], int) for p in pesos)


@pytest.mark.parametrize("rol", [Rol.ADMIN, Rol.VETERINARIO, Rol.RECEPCIONISTA])
@pytest.mark.parametrize("vista", ["historial", "pesos"])
def test_staff_read_historial_and_pesos(api_client, rol, vista):
    paciente = PacienteFactory()

    assert api_client(rol).get(URL.format(paciente.id, vista)).status_code == 200


@pytest.mark.parametrize("vista", ["historial", "pesos"])
def test_owner_reads_own_and_gets_404_for_others(client_for, cliente, vista):
    propio = PacienteFactory(propietario=cliente)
    ajeno = PacienteFactory()
    api = client_for(cliente.usuario)

    assert api.get(URL.format(propio.id, vista)).status_code == 200
    assert api.get(URL.format(ajeno.id, vista)).status_code == 404


@pytest.mark.parametrize("vista", ["historial", "pesos"])
def test_anonymous_gets_401(anon_client, vista):
    assert anon_client.get(URL.format(PacienteFactory().id, vista)).status_code == 401
