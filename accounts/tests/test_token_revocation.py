"""Access tokens die with their session: a logout, a deactivation (even once undone) or a
password change kills every access token issued before it, and none issued after it."""

import pytest

from accounts import services
from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REFRESH_URL = "/api/v1/auth/token/refresh/"
LOGOUT_URL = "/api/v1/auth/logout/"
ME_URL = "/api/v1/auth/me/"


def login(client, email):
    return client.post(TOKEN_URL, {"email": email, "password": DEFAULT_PASSWORD}, format="json").json()


def me(client, access):
    return client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {access}").status_code


def test_the_access_token_of_a_logged_out_session_is_refused_at_once(anon_client):
    user = UserFactory()
    tokens = login(anon_client, user.email)
    assert me(anon_client, tokens["access"]) == 200

    anon_client.post(LOGOUT_URL, {"refresh": tokens["refresh"]}, format="json")

    assert me(anon_client, tokens["access"]) == 401


def test_logging_in_again_right_after_a_logout_gives_a_working_token(anon_client):
    user = UserFactory()
    first = login(anon_client, user.email)
    anon_client.post(LOGOUT_URL, {"refresh": first["refresh"]}, format="json")

    second = login(anon_client, user.email)

    assert me(anon_client, second["access"]) == 200
    assert me(anon_client, first["access"]) == 401


def test_another_session_keeps_going_through_its_refresh_token_after_a_logout(anon_client):
    user = UserFactory()
    laptop = login(anon_client, user.email)
    phone = login(anon_client, user.email)

    anon_client.post(LOGOUT_URL, {"refresh": phone["refresh"]}, format="json")
    refreshed = anon_client.post(REFRESH_URL, {"refresh": laptop["refresh"]}, format="json")

    assert refreshed.status_code == 200
    assert me(anon_client, refreshed.json()["access"]) == 200


def test_tokens_issued_before_a_deactivation_stay_dead_after_reactivation(client_for, anon_client):
    admin = client_for(AdminFactory())
    user = UserFactory()
    tokens = login(anon_client, user.email)

    admin.patch(f"/api/v1/usuarios/{user.pk}/", {"is_active": False})
    admin.patch(f"/api/v1/usuarios/{user.pk}/", {"is_active": True})

    assert me(anon_client, tokens["access"]) == 401
    assert anon_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    assert me(anon_client, login(anon_client, user.email)["access"]) == 200


def test_saving_a_copy_read_before_a_logout_does_not_bring_its_tokens_back(client_for, anon_client):
    user = UserFactory()
    tokens = login(anon_client, user.email)
    stale = User.objects.get(pk=user.pk)  # e.g. an admin's edit form, opened before the logout

    anon_client.post(LOGOUT_URL, {"refresh": tokens["refresh"]}, format="json")
    services.user_update(actor=AdminFactory(), user=stale, nombre="Otro nombre")

    assert me(anon_client, tokens["access"]) == 401
    user.refresh_from_db()
    assert user.nombre == "Otro nombre"
