import pytest

from accounts.models import Rol
from accounts.tests.factories import UserFactory, VeterinarioFactory
from citas.models import HorarioAtencion
from citas.tests.factories import HorarioFactory
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/horarios/"


def tramo(vet, dia=0, inicio="09:00", fin="14:00"):
    return {"veterinario": vet.id, "dia_semana": dia, "hora_inicio": inicio, "hora_fin": fin}


@pytest.fixture
def admin_api(client_for, admin_user):
    return client_for(admin_user)


@pytest.mark.parametrize(
    "rol,status", [(Rol.ADMIN, 200), (Rol.VETERINARIO, 200), (Rol.RECEPCIONISTA, 200), (Rol.CLIENTE, 403)]
)
def test_read_per_rol(api_client, rol, status):
    HorarioFactory()

    assert api_client(rol).get(URL).status_code == status


@pytest.mark.parametrize("rol", [Rol.VETERINARIO, Rol.RECEPCIONISTA, Rol.CLIENTE])
def test_only_admin_writes(api_client, rol):
    horario = HorarioFactory()
    api = api_client(rol)

    assert api.post(URL, tramo(horario.veterinario, dia=2)).status_code == 403
    assert api.patch(f"{URL}{horario.id}/", {"hora_fin": "15:00"}).status_code == 403
    assert api.delete(f"{URL}{horario.id}/").status_code == 403


def test_admin_creates_split_shifts(admin_api):
    vet = VeterinarioFactory()

    assert admin_api.post(URL, tramo(vet, inicio="09:00", fin="13:00")).status_code == 201
    assert admin_api.post(URL, tramo(vet, inicio="13:00", fin="17:00")).status_code == 201
    assert HorarioAtencion.objects.filter(veterinario=vet).count() == 2


def test_overlapping_rows_of_the_same_vet_and_day_are_400(admin_api):
    horario = HorarioFactory(hora_inicio="09:00", hora_fin="14:00")

    response = admin_api.post(URL, tramo(horario.veterinario, inicio="13:00", fin="16:00"))

    assert response.status_code == 400
    assert error_codes(response) == {"non_field_errors": ["solape_horario"]}


def test_same_hours_on_another_day_or_vet_are_fine(admin_api):
    horario = HorarioFactory()

    assert admin_api.post(URL, tramo(horario.veterinario, dia=1)).status_code == 201
    assert admin_api.post(URL, tramo(VeterinarioFactory())).status_code == 201


def test_moving_a_row_onto_another_is_400(admin_api):
    vet = VeterinarioFactory()
    HorarioFactory(veterinario=vet, hora_inicio="09:00", hora_fin="12:00")
    tarde = HorarioFactory(veterinario=vet, hora_inicio="16:00", hora_fin="20:00")

    assert admin_api.patch(f"{URL}{tarde.id}/", {"hora_inicio": "11:00"}).status_code == 400
    assert admin_api.patch(f"{URL}{tarde.id}/", {"hora_inicio": "15:00"}).status_code == 200


@pytest.mark.parametrize(
    "data,field,code",
    [
        ({"hora_inicio": "14:00", "hora_fin": "09:00"}, "hora_fin", "fin_antes_de_inicio"),
        ({"hora_inicio": "09:00", "hora_fin": "09:00"}, "hora_fin", "fin_antes_de_inicio"),
        ({"dia_semana": 7}, "dia_semana", "invalid_choice"),
        ({"hora_inicio": "9h"}, "hora_inicio", "invalid"),
    ],
)
def test_validation(admin_api, data, field, code):
    response = admin_api.post(URL, {**tramo(VeterinarioFactory()), **data})

    assert response.status_code == 400
    assert error_codes(response) == {field: [code]}


def test_only_vets_have_horarios(admin_api):
    response = admin_api.post(URL, tramo(UserFactory(rol=Rol.RECEPCIONISTA)))

    assert response.status_code == 400
    assert error_codes(response) == {"veterinario": ["does_not_exist"]}
