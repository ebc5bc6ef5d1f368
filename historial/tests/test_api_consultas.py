import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Rol
from accounts.tests.factories import VeterinarioFactory
from historial.models import Consulta
from historial.tests.factories import ConsultaFactory
from pacientes.tests.factories import PacienteFactory
from sedes.tests.factories import zona_de_la_sede_principal
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/consultas/"


def nueva(paciente, **extra):
    return {"paciente": paciente.id, "motivo": "Vómitos", **extra}


# --- roles ----------------------------------------------------------------------


def test_anonymous_gets_401(anon_client):
    assert anon_client.get(URL).status_code == 401


def test_vet_creates_and_is_recorded_as_author(client_for, veterinario):
    paciente = PacienteFactory()

    response = client_for(veterinario).post(URL, nueva(paciente, veterinario=VeterinarioFactory().id))

    assert response.status_code == 201
    assert response.json()["veterinario"] == veterinario.id
    assert Consulta.objects.get().veterinario == veterinario


def test_admin_records_a_consulta_on_behalf_of_a_vet(client_for, admin_user):
    vet = VeterinarioFactory()

    response = client_for(admin_user).post(URL, nueva(PacienteFactory(), veterinario=vet.id))

    assert response.status_code == 201
    assert response.json()["veterinario"] == vet.id


def test_admin_must_name_an_active_vet(client_for, admin_user, recepcionista):
    api = client_for(admin_user)
    paciente = PacienteFactory()

    assert error_codes(api.post(URL, nueva(paciente))) == {"veterinario": ["required"]}
    assert api.post(URL, nueva(paciente, veterinario=recepcionista.id)).status_code == 400
    assert not Consulta.objects.exists()


@pytest.mark.parametrize("rol", [Rol.RECEPCIONISTA, Rol.CLIENTE])
def test_recepcion_and_owners_cannot_write(api_client, rol):
    consulta = ConsultaFactory()
    api = api_client(rol)

    assert api.post(URL, nueva(consulta.paciente)).status_code == 403
    assert api.patch(f"{URL}{consulta.id}/", {"motivo": "x"}).status_code == 403
    assert api.delete(f"{URL}{consulta.id}/").status_code == 403


@pytest.mark.parametrize("rol", [Rol.ADMIN, Rol.VETERINARIO, Rol.RECEPCIONISTA])
def test_staff_reads_every_consulta(api_client, rol):
    ConsultaFactory.create_batch(3)

    response = api_client(rol).get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_vet_updates_own_consulta(client_for, veterinario):
    consulta = ConsultaFactory(veterinario=veterinario)

    response = client_for(veterinario).patch(f"{URL}{consulta.id}/", {"diagnostico": "Gastritis"})

    assert response.status_code == 200
    consulta.refresh_from_db()
    assert consulta.diagnostico == "Gastritis"


def test_vet_cannot_update_another_vets_consulta(client_for, veterinario):
    consulta = ConsultaFactory()

    response = client_for(veterinario).patch(f"{URL}{consulta.id}/", {"diagnostico": "Otro"})

    assert response.status_code == 403
    consulta.refresh_from_db()
    assert consulta.diagnostico == "Sano"


def test_vet_cannot_reassign_the_author(client_for, veterinario):
    consulta = ConsultaFactory(veterinario=veterinario)

    client_for(veterinario).patch(f"{URL}{consulta.id}/", {"veterinario": VeterinarioFactory().id})

    consulta.refresh_from_db()
    assert consulta.veterinario == veterinario


def test_only_admin_deletes(client_for, veterinario, admin_user):
    consulta = ConsultaFactory(veterinario=veterinario)

    assert client_for(veterinario).delete(f"{URL}{consulta.id}/").status_code == 403
    assert client_for(admin_user).delete(f"{URL}{consulta.id}/").status_code == 204


def test_cliente_reads_only_own_pacientes_consultas(client_for, cliente):
    propia = ConsultaFactory(paciente__propietario=cliente)
    ajena = ConsultaFactory()
    api = client_for(cliente.usuario)

    assert [c["id"] for c in api.get(URL).json()["results"]] == [propia.id]
    assert api.get(f"{URL}{propia.id}/").status_code == 200
    assert api.get(f"{URL}{ajena.id}/").status_code == 404


# --- validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "temperatura,status", [("29.9", 400), ("30.0", 201), ("38.5", 201), ("45.0", 201), ("45.1", 400)]
)
def test_temperature_between_30_and_45(client_for, veterinario, temperatura, status):
    response = client_for(veterinario).post(URL, nueva(PacienteFactory(), temperatura_c=temperatura))

    assert response.status_code == status
    if status == 400:
        assert error_codes(response) == {"temperatura_c": ["min_value" if float(temperatura) < 30 else "max_value"]}


@pytest.mark.parametrize("peso", ["0", "-1"])
def test_weight_must_be_positive(client_for, veterinario, peso):
    response = client_for(veterinario).post(URL, nueva(PacienteFactory(), peso_kg=peso))

    assert response.status_code == 400
    assert error_codes(response) == {"peso_kg": ["no_positivo"]}


def test_future_date_is_rejected(client_for, veterinario):
    manana = timezone.now() + datetime.timedelta(days=1)

    response = client_for(veterinario).post(URL, nueva(PacienteFactory(), fecha=manana.isoformat()))

    assert response.status_code == 400
    assert error_codes(response) == {"fecha": ["fecha_futura"]}


def test_fecha_defaults_to_now(client_for, veterinario):
    antes = timezone.now()

    response = client_for(veterinario).post(URL, nueva(PacienteFactory()))

    fecha = Consulta.objects.get(id=response.json()["id"]).fecha
    assert antes <= fecha <= timezone.now()


def test_required_fields(client_for, veterinario):
    response = client_for(veterinario).post(URL, {})

    assert response.status_code == 400
    assert {"paciente": ["required"], "motivo": ["required"]}.items() <= error_codes(response).items()


def test_paciente_cannot_be_moved_on_update(client_for, veterinario):
    consulta = ConsultaFactory(veterinario=veterinario)
    otro = PacienteFactory()

    client_for(veterinario).patch(f"{URL}{consulta.id}/", {"paciente": otro.id})

    consulta.refresh_from_db()
    assert consulta.paciente_id != otro.id


# --- weight follows the newest consulta --------------------------------------------------


def test_consulta_weight_becomes_the_pacientes_weight(client_for, veterinario):
    paciente = PacienteFactory(peso_kg=Decimal("10.00"))

    client_for(veterinario).post(URL, nueva(paciente, peso_kg="11.40"))

    paciente.refresh_from_db()
    assert paciente.peso_kg == Decimal("11.40")


def test_an_older_consulta_does_not_override_a_newer_weight(client_for, veterinario):
    paciente = PacienteFactory()
    ConsultaFactory(paciente=paciente, peso_kg=Decimal("12.00"), fecha=timezone.now() - datetime.timedelta(days=1))
    paciente.peso_kg = Decimal("12.00")
    paciente.save()
    hace_un_mes = timezone.now() - datetime.timedelta(days=30)

    client_for(veterinario).post(URL, nueva(paciente, peso_kg="9.00", fecha=hace_un_mes.isoformat()))

    paciente.refresh_from_db()
    assert paciente.peso_kg == Decimal("12.00")


def test_editing_or_deleting_the_newest_weight_recomputes_it(client_for, veterinario, admin_user):
    paciente = PacienteFactory()
    vieja = ConsultaFactory(
        paciente=paciente, peso_kg=Decimal("8.00"), fecha=timezone.now() - datetime.timedelta(days=9)
    )
    nueva_c = ConsultaFactory(
        paciente=paciente,
        veterinario=veterinario,
        peso_kg=Decimal("9.00"),
        fecha=timezone.now() - datetime.timedelta(days=1),
    )

    client_for(veterinario).patch(f"{URL}{nueva_c.id}/", {"peso_kg": "9.50"})
    paciente.refresh_from_db()
    assert paciente.peso_kg == Decimal("9.50")

    client_for(admin_user).delete(f"{URL}{nueva_c.id}/")
    paciente.refresh_from_db()
    assert paciente.peso_kg == vieja.peso_kg


# --- filters and queries ------------------------------------------------------------------


def test_filters_paciente_and_veterinario(client_for, veterinario):
    mia = ConsultaFactory(veterinario=veterinario)
    ConsultaFactory()
    api = client_for(veterinario)

    assert [c["id"] for c in api.get(URL, {"veterinario": veterinario.id}).json()["results"]] == [mia.id]
    assert [c["id"] for c in api.get(URL, {"paciente": mia.paciente_id}).json()["results"]] == [mia.id]


def test_desde_hasta_are_local_dates_of_the_sede_with_both_ends_included(client_for, veterinario):
    zona = zona_de_la_sede_principal("America/Mexico_City")
    dentro_tarde = ConsultaFactory(fecha=datetime.datetime(2025, 3, 10, 23, 30, tzinfo=zona))
    dentro_manana = ConsultaFactory(fecha=datetime.datetime(2025, 3, 9, 0, 10, tzinfo=zona))
    ConsultaFactory(fecha=datetime.datetime(2025, 3, 11, 0, 5, tzinfo=zona))
    ConsultaFactory(fecha=datetime.datetime(2025, 3, 8, 23, 55, tzinfo=zona))

    response = client_for(veterinario).get(URL, {"desde": "2025-03-09", "hasta": "2025-03-10"})

    assert {c["id"] for c in response.json()["results"]} == {dentro_tarde.id, dentro_manana.id}


@pytest.mark.parametrize("params", [{"desde": "10/03/2025"}, {"paciente": "x"}, {"veterinario": "x"}])
def test_invalid_filters_are_400(client_for, veterinario, params):
    assert client_for(veterinario).get(URL, params).status_code == 400


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_runs_constant_queries(client_for, veterinario, django_assert_max_num_queries, page_size):
    ConsultaFactory.create_batch(55)

    api = client_for(veterinario)

    with django_assert_max_num_queries(3):
        response = api.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
