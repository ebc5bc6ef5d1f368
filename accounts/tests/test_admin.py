import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from accounts import services
from accounts.models import Rol, User
from accounts.roles import ROLE_PERMISSIONS
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from accounts.throttles import PasswordChangeRateThrottle
from clientes.tests.factories import ClienteFactory

pytestmark = pytest.mark.django_db


def group_names(user):
    return sorted(user.groups.values_list("name", flat=True))


def permissions_of(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


# Billing, the same for both staff roles (no deletes: those are the admin's).
FACTURACION = {
    "facturacion.view_impuesto",
    "facturacion.view_producto",
    "facturacion.view_factura",
    "facturacion.add_factura",
    "facturacion.change_factura",
    "facturacion.view_presupuesto",
    "facturacion.add_presupuesto",
    "facturacion.change_presupuesto",
    "facturacion.view_pago",
    "facturacion.add_pago",
}


def test_the_migration_creates_one_group_per_staff_rol_with_the_role_table_permissions():
    assert permissions_of("veterinario") == {
        "sedes.view_sede",
        "clientes.view_cliente",
        "pacientes.view_paciente",
        "pacientes.change_paciente",
        "historial.view_consulta",
        "historial.add_consulta",
        "historial.change_consulta",
        "historial.view_vacuna",
        "historial.add_vacuna",
        "historial.change_vacuna",
        "citas.view_cita",
        "citas.add_cita",
        "citas.change_cita",
        "citas.view_horarioatencion",
        "citas.view_bloqueo",
        "citas.add_bloqueo",
        "citas.change_bloqueo",
        "citas.delete_bloqueo",
        "recordatorios.view_recordatorio",
        *FACTURACION,
        "recordatorios.view_plantilla",
        "recordatorios.view_mensaje",
    }
    recepcion = permissions_of("recepcionista")
    assert {"clientes.add_cliente", "clientes.change_cliente", "pacientes.add_paciente", *FACTURACION} <= recepcion
    # Receptionists never write the clinical record.
    assert not {p for p in recepcion if p.split(".")[1].endswith(("_consulta", "_vacuna")) and "view_" not in p}
    assert not [p for p in recepcion | permissions_of("veterinario") if p.startswith("accounts.")]


def test_no_group_for_admin_or_cliente():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)
    assert not Group.objects.filter(name__in=[Rol.ADMIN, Rol.CLIENTE]).exists()


@pytest.mark.parametrize(
    ("rol", "groups", "is_staff"),
    [
        (Rol.ADMIN, [], True),
        (Rol.VETERINARIO, ["veterinario"], True),
        (Rol.RECEPCIONISTA, ["recepcionista"], True),
    ],
)
def test_user_create_puts_the_user_in_the_group_of_its_rol(admin_user, rol, groups, is_staff):
    user = services.user_create(actor=admin_user, email=f"{rol}@clinica.test", password=DEFAULT_PASSWORD, rol=rol)

    assert group_names(user) == groups
    assert user.is_staff is is_staff


def test_changing_the_rol_moves_the_user_to_the_new_group(admin_user):
    user = UserFactory(rol=Rol.RECEPCIONISTA)

    services.user_update(actor=admin_user, user=user, rol=Rol.VETERINARIO)

    assert group_names(user) == ["veterinario"]


def test_a_cliente_user_belongs_to_no_staff_group_and_is_not_staff(admin_user):
    user = services.user_update(
        actor=admin_user, user=UserFactory(rol=Rol.VETERINARIO), rol=Rol.CLIENTE, cliente=ClienteFactory()
    )

    assert group_names(user) == []
    assert user.is_staff is False


def test_create_user_from_the_manager_joins_the_group_too():
    user = User.objects.create_user("recepcion@clinica.test", DEFAULT_PASSWORD, rol=Rol.RECEPCIONISTA)

    assert group_names(user) == ["recepcionista"]


def test_a_cliente_cannot_log_in_to_the_admin(client, cliente_user):
    response = client.post(
        reverse("admin:login"), {"username": cliente_user.email, "password": DEFAULT_PASSWORD, "next": "/admin/"}
    )

    assert response.status_code == 200  # the login form again, with an error
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_a_logged_in_cliente_is_sent_back_to_the_login_page(client, cliente_user):
    client.force_login(cliente_user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_creates_users_through_the_service(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Nueva.Vet@Clinica.test",
            "rol": Rol.VETERINARIO,
            "nombre": "Nerea",
            "apellidos": "Vidal",
            "telefono": "",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="nueva.vet@clinica.test")
    assert user.check_password(DEFAULT_PASSWORD)
    assert group_names(user) == ["veterinario"]


def test_admin_rol_change_updates_the_group(client, admin_user):
    user = UserFactory(rol=Rol.RECEPCIONISTA)
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "email": user.email,
            "nombre": user.nombre,
            "apellidos": user.apellidos,
            "telefono": user.telefono,
            "rol": Rol.VETERINARIO,
            "is_active": "on",
            "cliente": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert group_names(user) == ["veterinario"]


def test_admin_cannot_demote_themselves_the_service_refusal_is_a_form_error(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:accounts_user_change", args=[admin_user.pk]),
        {"email": admin_user.email, "rol": Rol.RECEPCIONISTA, "is_active": "on", "cliente": ""},
    )

    assert response.status_code == 200
    assert "rol" in response.context["adminform"].form.errors
    admin_user.refresh_from_db()
    assert admin_user.rol == Rol.ADMIN


def test_a_password_changed_in_the_admin_kills_the_users_refresh_tokens(client, admin_user, anon_client):
    # given a receptionist logged in through the API
    recepcionista = UserFactory(rol=Rol.RECEPCIONISTA)
    tokens = anon_client.post(
        "/api/v1/auth/token/", {"email": recepcionista.email, "password": DEFAULT_PASSWORD}, format="json"
    ).json()
    # when an admin sets a new password on the user's admin page
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[recepcionista.pk]),
        {"usable_password": "true", "password1": "Nueva-Clave-Larga-2026", "password2": "Nueva-Clave-Larga-2026"},
    )
    # then neither the old refresh token nor the old access token works any more
    assert response.status_code == 302
    refresh = anon_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    me = anon_client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert (refresh.status_code, me.status_code) == (401, 401)


def test_every_migrate_brings_the_groups_back_to_the_role_table():
    # given a group whose permissions drifted from the table (edited by hand, or an older table)
    group = Group.objects.get(name=Rol.VETERINARIO)
    expected = permissions_of(Rol.VETERINARIO)
    assert expected
    group.permissions.clear()
    # when migrate runs (nothing to apply)
    call_command("migrate", verbosity=0)
    # then the group has exactly the table's permissions again
    assert permissions_of(Rol.VETERINARIO) == expected


# --- the admin login is throttled like the API's -------------------------------------------------


def admin_login(client, email, password, **extra):
    return client.post(reverse("admin:login"), {"username": email, "password": password, "next": "/admin/"}, **extra)


def api_login(client, email, password, **extra):
    return client.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json", **extra)


def test_admin_login_is_throttled_per_ip_after_login_rate(client, admin_user):
    statuses = [admin_login(client, admin_user.email, "mala").status_code for _ in range(10)]

    refused = admin_login(client, admin_user.email, DEFAULT_PASSWORD)

    # LOGIN_RATE=10/min: ten wrong passwords get the form back, the next attempt a 429 unchecked.
    assert statuses == [200] * 10
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert "_auth_user_id" not in client.session
    # another address still gets in: the limit is per client IP
    assert admin_login(client, admin_user.email, DEFAULT_PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_admin_and_api_login_attempts_add_up_per_ip(client, anon_client, admin_user):
    for _ in range(5):
        api_login(anon_client, admin_user.email, "mala")
    for _ in range(5):
        admin_login(client, admin_user.email, "mala")

    assert admin_login(client, admin_user.email, DEFAULT_PASSWORD).status_code == 429
    assert api_login(anon_client, admin_user.email, DEFAULT_PASSWORD).status_code == 429


def test_admin_login_attempts_lock_the_api_login_too(client, anon_client, admin_user):
    for _ in range(10):
        admin_login(client, admin_user.email, "mala")

    assert api_login(anon_client, admin_user.email, DEFAULT_PASSWORD).status_code == 429


def test_showing_the_admin_login_page_is_not_an_attempt(client, admin_user):
    for _ in range(15):
        assert client.get(reverse("admin:login")).status_code == 200

    response = admin_login(client, admin_user.email, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_user.pk)


def test_the_admins_own_password_change_page_is_throttled_per_user(client, veterinario):
    client.force_login(veterinario)
    page = reverse("admin:password_change")
    new = "Otra-Clave-Larga-77"
    guess = {"old_password": "no-es-esta", "new_password1": new, "new_password2": new}
    limit = PasswordChangeRateThrottle().num_requests

    answers = [client.post(page, guess).status_code for _ in range(limit)]
    right_one = client.post(page, {**guess, "old_password": DEFAULT_PASSWORD})

    assert answers == [200] * limit  # the form, with its error
    assert right_one.status_code == 429
    veterinario.refresh_from_db()
    assert veterinario.check_password(DEFAULT_PASSWORD)


def test_changing_ones_password_in_the_admin_kills_the_refresh_tokens(client, anon_client, veterinario):
    refresh = anon_client.post(
        "/api/v1/auth/token/", {"email": veterinario.email, "password": DEFAULT_PASSWORD}, format="json"
    ).json()["refresh"]
    client.force_login(veterinario)

    response = client.post(
        reverse("admin:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": "Otra-Clave-77x", "new_password2": "Otra-Clave-77x"},
    )

    assert response.status_code == 302
    assert anon_client.post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json").status_code == 401
