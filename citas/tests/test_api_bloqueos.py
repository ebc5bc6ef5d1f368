import datetime

import pytest

from accounts.models import Rol
from accounts.tests.factories import VeterinarioFactory
from citas.models import Bloqueo, EstadoCita
from citas.tests.factories import BloqueoFactory, CitaFactory, manana_a_las
from tests.errors import error_code, error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/bloqueos/"


def bloqueo(vet, inicio, fin, motivo="Vacaciones"):
    return {"veterinario": vet.id, "inicio": inicio.isoformat(), "fin": fin.isoformat(), "motivo": motivo}


@pytest.fixture
def recepcion(api_client):
    return api_client(Rol.RECEPCIONISTA)


def test_recepcion_blocks_a_vets_time(recepcion):
    vet = VeterinarioFactory()

    response = recepcion.post(URL, bloqueo(vet, manana_a_las(9), manana_a_las(14)))

    assert response.status_code == 201
    assert response.json()["creado_por"] == recepcion.user.id


def test_bloqueo_over_active_citas_is_409_with_their_ids(recepcion):
    vet = VeterinarioFactory()
    a = CitaFactory(veterinario=vet, inicio=manana_a_las(10), fin=manana_a_las(10, 30))
    b = CitaFactory(veterinario=vet, inicio=manana_a_las(12), fin=manana_a_las(12, 30))
    CitaFactory(veterinario=vet, inicio=manana_a_las(11), fin=manana_a_las(11, 30), estado=EstadoCita.CANCELADA)
    CitaFactory(inicio=manana_a_las(11), fin=manana_a_las(11, 30))  # another vet

    response = recepcion.post(URL, bloqueo(vet, manana_a_las(9), manana_a_las(14)))

    assert response.status_code == 409
    assert response.json()["citas"] == [a.id, b.id]
    assert error_code(response) == "bloqueo_con_citas"
    assert not Bloqueo.objects.exists()


def test_moving_a_bloqueo_over_citas_is_409(recepcion):
    vet = VeterinarioFactory()
    cita = CitaFactory(veterinario=vet, inicio=manana_a_las(16), fin=manana_a_las(16, 30))
    existing = BloqueoFactory(veterinario=vet, inicio=manana_a_las(9), fin=manana_a_las(10))

    response = recepcion.patch(f"{URL}{existing.id}/", {"fin": manana_a_las(17).isoformat()})

    assert response.status_code == 409
    assert response.json()["citas"] == [cita.id]
    assert error_code(response) == "bloqueo_con_citas"


def test_a_bloqueo_ending_when_a_cita_starts_is_fine(recepcion):
    vet = VeterinarioFactory()
    CitaFactory(veterinario=vet, inicio=manana_a_las(10), fin=manana_a_las(10, 30))

    assert recepcion.post(URL, bloqueo(vet, manana_a_las(9), manana_a_las(10))).status_code == 201


def test_fin_after_inicio(recepcion):
    response = recepcion.post(URL, bloqueo(VeterinarioFactory(), manana_a_las(10), manana_a_las(9)))

    assert response.status_code == 400
    assert error_codes(response) == {"fin": ["fin_antes_de_inicio"]}


def test_vet_manages_only_own_bloqueos(client_for, veterinario):
    propio = BloqueoFactory(veterinario=veterinario)
    ajeno = BloqueoFactory()
    api = client_for(veterinario)

    assert api.post(URL, bloqueo(veterinario, manana_a_las(8), manana_a_las(9))).status_code == 201
    assert api.post(URL, bloqueo(ajeno.veterinario, manana_a_las(8), manana_a_las(9))).status_code == 403
    assert api.patch(f"{URL}{propio.id}/", {"motivo": "Congreso"}).status_code == 200
    assert api.patch(f"{URL}{ajeno.id}/", {"motivo": "Congreso"}).status_code == 403
    assert api.patch(f"{URL}{propio.id}/", {"veterinario": ajeno.veterinario_id}).status_code == 403
    assert api.delete(f"{URL}{ajeno.id}/").status_code == 403
    assert api.delete(f"{URL}{propio.id}/").status_code == 204
    assert api.get(f"{URL}{ajeno.id}/").status_code == 200


def test_owners_have_no_access(client_for, cliente_user):
    item = BloqueoFactory()
    api = client_for(cliente_user)

    assert api.get(URL).status_code == 403
    assert api.get(f"{URL}{item.id}/").status_code == 403


def test_filters_select_bloqueos_overlapping_the_range(recepcion):
    vet = VeterinarioFactory()
    dentro = BloqueoFactory(veterinario=vet, inicio=manana_a_las(8), fin=manana_a_las(10))
    BloqueoFactory(veterinario=vet, inicio=manana_a_las(12), fin=manana_a_las(13))
    otro_vet = BloqueoFactory(inicio=manana_a_las(8), fin=manana_a_las(10))

    params = {"desde": manana_a_las(9).isoformat(), "hasta": manana_a_las(11).isoformat()}
    by_range = recepcion.get(URL, params).json()["results"]
    by_vet = recepcion.get(URL, {**params, "veterinario": vet.id}).json()["results"]

    assert {b["id"] for b in by_range} == {dentro.id, otro_vet.id}
    assert [b["id"] for b in by_vet] == [dentro.id]


def test_a_bloqueo_prevents_reschedules_into_it(recepcion):
    vet = VeterinarioFactory()
    BloqueoFactory(veterinario=vet, inicio=manana_a_las(15), fin=manana_a_las(17))
    cita = CitaFactory(veterinario=vet, inicio=manana_a_las(10), fin=manana_a_las(10, 30))

    response = recepcion.patch(f"/api/v1/citas/{cita.id}/", {"inicio": manana_a_las(16).isoformat()})

    assert response.status_code == 409


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_runs_constant_queries(recepcion, django_assert_max_num_queries, page_size):
    for i in range(55):
        BloqueoFactory(
            inicio=manana_a_las(8) + datetime.timedelta(days=i), fin=manana_a_las(9) + datetime.timedelta(days=i)
        )

    with django_assert_max_num_queries(3):
        response = recepcion.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
