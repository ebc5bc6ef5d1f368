"""Ids are whole numbers, and an id filter never tells a caller whether a user exists."""

import pytest

from accounts.tests.factories import AdminFactory, RecepcionistaFactory, VeterinarioFactory
from clientes.tests.factories import ClienteFactory
from pacientes.tests.factories import PacienteFactory
from tests.errors import error_codes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("id_of", [lambda pk: pk + 0.9, lambda pk: pk + 0.5, lambda pk: True])
def test_a_fractional_or_boolean_id_is_400_not_truncated(client_for, admin_user, id_of):
    owner = ClienteFactory()

    response = client_for(admin_user).post(
        "/api/v1/pacientes/", {"nombre": "Toby", "especie": "perro", "propietario": id_of(owner.pk)}
    )
    # the same id as a whole number is accepted
    accepted = client_for(admin_user).post(
        "/api/v1/pacientes/", {"nombre": "Toby", "especie": "perro", "propietario": owner.pk}
    )

    assert response.status_code == 400
    assert error_codes(response) == {"propietario": ["incorrect_type"]}
    assert accepted.status_code == 201


def test_a_fractional_vet_id_on_a_booking_is_400(client_for, admin_user):
    vet = VeterinarioFactory()
    paciente = PacienteFactory()

    response = client_for(admin_user).post(
        "/api/v1/citas/",
        {"paciente": paciente.pk, "veterinario": vet.pk + 0.5, "inicio": "2030-01-10T10:00:00Z", "motivo": "x"},
    )

    assert response.status_code == 400
    assert error_codes(response) == {"veterinario": ["incorrect_type"]}


@pytest.mark.parametrize("path", ["/api/v1/consultas/", "/api/v1/citas/"])
def test_an_owner_filtering_by_a_non_vet_user_id_gets_the_same_400_as_for_a_missing_one(
    client_for, cliente_user, path
):
    someone = RecepcionistaFactory()
    admin = AdminFactory()
    api = client_for(cliente_user)

    answers = [api.get(path, {"veterinario": user_id}).status_code for user_id in (someone.pk, admin.pk, 999_999)]

    assert answers == [400, 400, 400]


@pytest.mark.parametrize("path", ["/api/v1/consultas/", "/api/v1/citas/", "/api/v1/bloqueos/", "/api/v1/horarios/"])
def test_staff_filter_by_a_vet(client_for, admin_user, path):
    vet = VeterinarioFactory()

    response = client_for(admin_user).get(path, {"veterinario": vet.pk})

    assert response.status_code == 200


def test_an_owner_may_filter_by_an_active_vet(client_for, cliente_user):
    vet = VeterinarioFactory()

    response = client_for(cliente_user).get("/api/v1/citas/", {"veterinario": vet.pk})

    assert response.status_code == 200


def test_an_owner_booking_with_an_inactive_vet_gets_the_same_answer_as_for_a_missing_id(client_for, cliente):
    inactive = VeterinarioFactory(is_active=False)
    paciente = PacienteFactory(propietario=cliente)
    api = client_for(cliente.usuario)

    def book(vet_id):
        body = {"paciente": paciente.pk, "veterinario": vet_id, "inicio": "2030-01-10T10:00:00Z", "motivo": "x"}
        return api.post("/api/v1/citas/", body)

    answers = [book(inactive.pk), book(999_999), book(AdminFactory().pk)]

    assert [response.status_code for response in answers] == [400, 400, 400]
    assert [error_codes(response) for response in answers] == [{"veterinario": ["does_not_exist"]}] * 3
