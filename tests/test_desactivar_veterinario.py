"""Deactivating a veterinario with citas still to attend is a 409 `tiene_citas_futuras` naming
them, through the API and the admin alike; nothing changes. The rule lives in accounts.services;
citas tells it which citas count (CitasConfig.ready), so accounts never imports citas."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import User
from accounts.tests.factories import VeterinarioFactory
from citas.models import EstadoCita
from citas.tests.factories import CitaFactory, manana_a_las
from core.exceptions import Conflict

pytestmark = pytest.mark.django_db

URL = "/api/v1/usuarios/"


def error_code(response):
    """The first error code (DRF's `detail`, or the v1.1 `errors` list)."""
    if "errors" in response.data:
        return response.data["errors"][0]["code"]
    return response.data["detail"].code


@pytest.fixture
def admin_api(client_for, admin_user):
    return client_for(admin_user)


@pytest.fixture
def vet(db):
    return VeterinarioFactory()


@pytest.fixture
def pendientes(vet):
    """The vet's citas still to attend, in every active state, one of them under way."""
    ahora = timezone.now()
    return [
        CitaFactory(
            veterinario=vet,
            inicio=ahora - datetime.timedelta(minutes=10),
            fin=ahora + datetime.timedelta(minutes=20),
            estado=EstadoCita.EN_CURSO,
        ),
        CitaFactory(veterinario=vet, inicio=manana_a_las(9), fin=manana_a_las(9, 30), estado=EstadoCita.PROGRAMADA),
        CitaFactory(veterinario=vet, inicio=manana_a_las(10), fin=manana_a_las(10, 30), estado=EstadoCita.CONFIRMADA),
    ]


def assert_untouched(vet, client_for):
    vet.refresh_from_db()
    assert vet.is_active is True
    # its sessions still work: the deactivation revoked nothing
    assert client_for(vet).get("/api/v1/auth/me/").status_code == 200


@pytest.mark.parametrize(
    "method,body",
    [("delete", None), ("patch", {"is_active": False}), ("put", "full")],
    ids=["DELETE", "PATCH", "PUT"],
)
def test_deactivating_a_vet_with_citas_to_attend_is_409_with_their_ids(
    admin_api, client_for, vet, pendientes, method, body
):
    # given a vet with active citas from now on
    if body == "full":
        body = {
            "email": vet.email,
            "nombre": vet.nombre,
            "apellidos": vet.apellidos,
            "rol": "veterinario",
            "is_active": False,
        }

    # when an admin deactivates the vet
    response = getattr(admin_api, method)(f"{URL}{vet.id}/", body, format="json")

    # then it is refused with the ids of those citas, by start, and nothing changed
    assert response.status_code == 409
    assert error_code(response) == "tiene_citas_futuras"
    assert response.data["citas"] == [cita.id for cita in pendientes]
    assert_untouched(vet, client_for)


def test_other_changes_to_a_vet_with_citas_are_still_allowed(admin_api, vet, pendientes):
    response = admin_api.patch(f"{URL}{vet.id}/", {"nombre": "Vera", "is_active": True}, format="json")

    assert response.status_code == 200
    vet.refresh_from_db()
    assert (vet.nombre, vet.is_active) == ("Vera", True)


def test_a_vet_whose_citas_are_over_or_closed_may_be_deactivated(admin_api, vet):
    # given only past citas, and future ones cancelled, completed or missed, and another vet's
    ayer = timezone.now() - datetime.timedelta(days=1)
    CitaFactory(veterinario=vet, inicio=ayer, fin=ayer + datetime.timedelta(minutes=30))
    for n, estado in enumerate([EstadoCita.CANCELADA, EstadoCita.COMPLETADA, EstadoCita.NO_ASISTIO]):
        CitaFactory(veterinario=vet, inicio=manana_a_las(9 + n), fin=manana_a_las(9 + n, 30), estado=estado)
    CitaFactory(inicio=manana_a_las(9), fin=manana_a_las(9, 30))

    # when an admin deletes the vet
    response = admin_api.delete(f"{URL}{vet.id}/")

    # then the vet is deactivated
    assert response.status_code == 204
    vet.refresh_from_db()
    assert vet.is_active is False


def test_the_service_raises_the_conflict_with_the_ids(admin_user, vet, pendientes):
    with pytest.raises(Conflict) as refused:
        services.user_deactivate(actor=admin_user, user=vet)

    assert refused.value.code == "tiene_citas_futuras"
    assert refused.value.extra == {"citas": [cita.id for cita in pendientes]}
    assert User.objects.get(pk=vet.pk).is_active is True


def test_a_cancelled_agenda_frees_the_vet_to_be_deactivated(admin_api, vet, pendientes):
    for cita in pendientes:
        cita.estado = EstadoCita.CANCELADA
        cita.save()

    assert admin_api.delete(f"{URL}{vet.id}/").status_code == 204


# --- the admin --------------------------------------------------------------------------------


def change_data(vet, **extra):
    return {
        "email": vet.email,
        "nombre": vet.nombre,
        "apellidos": vet.apellidos,
        "telefono": vet.telefono,
        "rol": vet.rol,
        "cliente": "",
        **extra,
    }


def test_unticking_active_in_the_admin_for_a_vet_with_citas_is_a_form_error(
    client, admin_user, client_for, vet, pendientes
):
    client.force_login(admin_user)

    # when the admin saves the vet's page with "active" unticked
    response = client.post(reverse("admin:accounts_user_change", args=[vet.pk]), change_data(vet))

    # then the page comes back with the service's refusal, and nothing changed
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert any("citas pendientes" in error for error in errors)
    assert_untouched(vet, client_for)


def test_the_admin_deactivates_a_vet_without_citas_to_attend(client, admin_user, vet):
    client.force_login(admin_user)

    response = client.post(reverse("admin:accounts_user_change", args=[vet.pk]), change_data(vet))

    assert response.status_code == 302, response.context["adminform"].form.errors
    vet.refresh_from_db()
    assert vet.is_active is False
