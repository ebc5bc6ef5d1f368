import datetime

import pytest
from django.utils import timezone

from accounts.models import Rol
from historial.models import Vacuna
from historial.tests.factories import VacunaFactory
from pacientes.tests.factories import PacienteFactory
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/vacunas/"


def hoy():
    return timezone.localdate()


def dias(n):
    return hoy() + datetime.timedelta(days=n)


def nueva(paciente, **extra):
    return {"paciente": paciente.id, "nombre": "Rabia", "fecha_aplicacion": dias(-1).isoformat(), **extra}


@pytest.mark.parametrize(
    "rol,status", [(Rol.ADMIN, 201), (Rol.VETERINARIO, 201), (Rol.RECEPCIONISTA, 403), (Rol.CLIENTE, 403)]
)
def test_create_per_rol(client_for, user_of_rol, rol, status):
    user = user_of_rol(rol)

    response = client_for(user).post(URL, nueva(PacienteFactory()))

    assert response.status_code == status
    if status == 201:
        assert response.json()["veterinario"] == user.id


@pytest.mark.parametrize("rol,status", [(Rol.VETERINARIO, 200), (Rol.RECEPCIONISTA, 403)])
def test_update_per_rol(api_client, rol, status):
    vacuna = VacunaFactory()

    assert api_client(rol).patch(f"{URL}{vacuna.id}/", {"lote": "NUEVO"}).status_code == status


@pytest.mark.parametrize("rol,status", [(Rol.ADMIN, 204), (Rol.VETERINARIO, 403), (Rol.RECEPCIONISTA, 403)])
def test_only_admin_deletes(api_client, rol, status):
    vacuna = VacunaFactory()

    assert api_client(rol).delete(f"{URL}{vacuna.id}/").status_code == status


def test_veterinario_field_is_read_only(client_for, veterinario, admin_user):
    response = client_for(veterinario).post(URL, nueva(PacienteFactory(), veterinario=admin_user.id))

    assert response.json()["veterinario"] == veterinario.id


def test_cliente_reads_only_own_pacientes_vacunas(client_for, cliente):
    propia = VacunaFactory(paciente__propietario=cliente)
    ajena = VacunaFactory()
    api = client_for(cliente.usuario)

    assert [v["id"] for v in api.get(URL).json()["results"]] == [propia.id]
    assert api.get(f"{URL}{ajena.id}/").status_code == 404


def test_application_date_not_in_the_future(client_for, veterinario):
    response = client_for(veterinario).post(URL, nueva(PacienteFactory(), fecha_aplicacion=dias(1).isoformat()))

    assert response.status_code == 400
    assert error_codes(response) == {"fecha_aplicacion": ["fecha_futura"]}


def test_next_dose_not_before_application(client_for, veterinario):
    api = client_for(veterinario)
    paciente = PacienteFactory()

    antes = api.post(URL, nueva(paciente, fecha_aplicacion=dias(-5).isoformat(), proxima_dosis=dias(-6).isoformat()))
    mismo_dia = api.post(
        URL, nueva(paciente, fecha_aplicacion=dias(-5).isoformat(), proxima_dosis=dias(-5).isoformat())
    )

    assert antes.status_code == 400
    assert error_codes(antes) == {"proxima_dosis": ["proxima_dosis_anterior"]}
    assert mismo_dia.status_code == 201


def test_next_dose_rule_holds_on_partial_update(client_for, veterinario):
    vacuna = VacunaFactory(fecha_aplicacion=dias(-10), proxima_dosis=dias(300))

    response = client_for(veterinario).patch(f"{URL}{vacuna.id}/", {"proxima_dosis": dias(-20).isoformat()})

    assert response.status_code == 400
    vacuna.refresh_from_db()
    assert vacuna.proxima_dosis == dias(300)


def test_filter_proxima_dosis_hasta(client_for, veterinario):
    pronto = VacunaFactory(proxima_dosis=dias(10))
    VacunaFactory(proxima_dosis=dias(40))

    response = client_for(veterinario).get(URL, {"proxima_dosis_hasta": dias(10).isoformat()})

    assert [v["id"] for v in response.json()["results"]] == [pronto.id]


def test_vencidas_excludes_doses_superseded_by_a_later_application(client_for, veterinario):
    paciente = PacienteFactory()
    superada = VacunaFactory(paciente=paciente, nombre="Rabia", fecha_aplicacion=dias(-400), proxima_dosis=dias(-35))
    VacunaFactory(paciente=paciente, nombre="RABIA", fecha_aplicacion=dias(-30), proxima_dosis=dias(335))
    vencida = VacunaFactory(nombre="Leishmania", fecha_aplicacion=dias(-400), proxima_dosis=dias(-35))
    api = client_for(veterinario)

    vencidas = {v["id"] for v in api.get(URL, {"vencidas": "true"}).json()["results"]}
    no_vencidas = {v["id"] for v in api.get(URL, {"vencidas": "false"}).json()["results"]}

    assert vencidas == {vencida.id}
    assert superada.id in no_vencidas
    assert vencida.id not in no_vencidas


def test_a_later_dose_supersedes_whatever_the_case_of_accented_letters(client_for, veterinario):
    paciente = PacienteFactory()
    superada = VacunaFactory(
        paciente=paciente, nombre="Enfermedad hemorrágica vírica", fecha_aplicacion=dias(-400), proxima_dosis=dias(-35)
    )
    VacunaFactory(paciente=paciente, nombre="ENFERMEDAD HEMORRÁGICA VÍRICA", fecha_aplicacion=dias(-30))

    response = client_for(veterinario).get(URL, {"vencidas": "true"})

    assert superada.id not in {v["id"] for v in response.json()["results"]}


def test_filter_by_paciente_and_bad_values(client_for, veterinario):
    vacuna = VacunaFactory()
    VacunaFactory()
    api = client_for(veterinario)

    assert [v["id"] for v in api.get(URL, {"paciente": vacuna.paciente_id}).json()["results"]] == [vacuna.id]
    assert api.get(URL, {"vencidas": "quizas"}).status_code == 400
    assert api.get(URL, {"proxima_dosis_hasta": "mañana"}).status_code == 400


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_runs_constant_queries(client_for, veterinario, django_assert_max_num_queries, page_size):
    VacunaFactory.create_batch(55)

    api = client_for(veterinario)

    with django_assert_max_num_queries(3):
        response = api.get(URL, {"page_size": page_size, "vencidas": "false"})

    assert len(response.json()["results"]) == page_size
    assert Vacuna.objects.count() == 55
