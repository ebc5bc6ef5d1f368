import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import Rol
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.errors import error_code, error_codes

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]

TOKEN_URL = "/api/v1/auth/token/"
REFRESH_URL = "/api/v1/auth/token/refresh/"
LOGOUT_URL = "/api/v1/auth/logout/"
ME_URL = "/api/v1/auth/me/"
PASSWORD_URL = "/api/v1/auth/password/"


def login(client, email, password=DEFAULT_PASSWORD, **extra):
    return client.post(TOKEN_URL, {"email": email, "password": password}, format="json", **extra)


def test_login_returns_access_and_refresh_tokens(anon_client):
    user = UserFactory(email="vet@clinica.test")

    response = login(anon_client, "vet@clinica.test")

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh", "expires_in"}
    me = anon_client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert me.status_code == 200
    assert me.json()["id"] == user.id


def access_lifetime(access):
    """Seconds from the access token's issue (`emitido`, exact) to its expiry (`exp`, whole seconds)."""
    token = AccessToken(access)
    return token["exp"] - token["emitido"]


def test_login_answers_the_access_tokens_lifetime_as_expires_in(anon_client, settings):
    UserFactory(email="vet@clinica.test")

    body = login(anon_client, "vet@clinica.test").json()

    # ACCESS_TOKEN_MINUTES (15 by default), and the lifetime the token really has
    assert body["expires_in"] == settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds() == 900
    assert body["expires_in"] - 2 < access_lifetime(body["access"]) <= body["expires_in"]


def test_refresh_answers_expires_in_too(anon_client, settings):
    UserFactory(email="vet@clinica.test")
    refresh = login(anon_client, "vet@clinica.test").json()["refresh"]

    body = anon_client.post(REFRESH_URL, {"refresh": refresh}, format="json").json()

    assert body["expires_in"] == settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()
    assert body["expires_in"] - 2 < access_lifetime(body["access"]) <= body["expires_in"]


def test_expires_in_follows_access_token_minutes():
    # given the settings and token classes as a server with ACCESS_TOKEN_MINUTES=5 builds them
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vetclinic.settings.test", "ACCESS_TOKEN_MINUTES": "5"}
    code = "import django; django.setup(); from accounts.tokens import access_lifetime_seconds as s; print(s())"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True
    )

    assert out.stdout.strip() == "300"


def test_the_schema_documents_expires_in_on_both_token_answers(anon_client):
    schema = anon_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]

    for path in ("/api/v1/auth/token/", "/api/v1/auth/token/refresh/"):
        ref = paths[path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        assert component["properties"]["expires_in"]["type"] == "integer"
        assert {"access", "refresh", "expires_in"} <= set(component["required"])


def test_a_refresh_token_of_a_deleted_user_is_401_not_500(anon_client):
    user = UserFactory(email="vet@clinica.test")
    refresh = login(anon_client, "vet@clinica.test").json()["refresh"]
    user.delete()

    response = anon_client.post(REFRESH_URL, {"refresh": refresh}, format="json")

    assert response.status_code == 401
    assert "access" not in response.json()


def test_login_matches_email_case_insensitively(anon_client):
    UserFactory(email="ana@clinica.test")

    response = login(anon_client, "ANA@Clinica.TEST")

    assert response.status_code == 200


def test_login_with_wrong_password_is_401(anon_client):
    UserFactory(email="ana@clinica.test")

    response = login(anon_client, "ana@clinica.test", "otra-cosa")

    assert response.status_code == 401
    assert "access" not in response.json()
    assert error_code(response) == "no_active_account"


def test_login_of_inactive_user_is_401(anon_client):
    UserFactory(email="baja@clinica.test", is_active=False)

    assert login(anon_client, "baja@clinica.test").status_code == 401


def test_login_is_throttled_per_ip_after_login_rate(anon_client):
    UserFactory(email="ana@clinica.test")

    statuses = [login(anon_client, "ana@clinica.test", "mala").status_code for _ in range(11)]

    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    # Another address still gets through: the limit is per client IP.
    assert login(anon_client, "ana@clinica.test", REMOTE_ADDR="10.9.9.9").status_code == 200


def test_forwarded_for_is_ignored_without_trusted_proxies(anon_client):
    UserFactory(email="ana@clinica.test")
    for i in range(10):
        login(anon_client, "ana@clinica.test", "mala", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")

    response = login(anon_client, "ana@clinica.test", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert response.status_code == 429


def test_forwarded_for_is_trusted_as_far_as_num_proxies_says(anon_client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    UserFactory(email="ana@clinica.test")
    for _ in range(10):
        login(anon_client, "ana@clinica.test", "mala", HTTP_X_FORWARDED_FOR="198.51.100.1")

    same_client = login(anon_client, "ana@clinica.test", HTTP_X_FORWARDED_FOR="198.51.100.1")
    other_client = login(anon_client, "ana@clinica.test", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert (same_client.status_code, other_client.status_code) == (429, 200)


def test_an_expired_access_token_is_401(anon_client, recepcionista):
    token = AccessToken.for_user(recepcionista)
    token.set_exp(from_time=timezone.now() - datetime.timedelta(hours=1), lifetime=datetime.timedelta(minutes=15))

    response = anon_client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401
    assert (
        anon_client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(recepcionista)}").status_code == 200
    )


def test_refresh_rotates_and_the_old_refresh_token_dies(anon_client):
    UserFactory(email="ana@clinica.test")
    old_refresh = login(anon_client, "ana@clinica.test").json()["refresh"]

    rotated = anon_client.post(REFRESH_URL, {"refresh": old_refresh}, format="json")
    reused = anon_client.post(REFRESH_URL, {"refresh": old_refresh}, format="json")

    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh", "expires_in"}
    assert rotated.json()["refresh"] != old_refresh
    assert reused.status_code == 401
    assert anon_client.post(REFRESH_URL, {"refresh": rotated.json()["refresh"]}, format="json").status_code == 200


def test_logout_kills_the_refresh_token(anon_client):
    UserFactory(email="ana@clinica.test")
    refresh = login(anon_client, "ana@clinica.test").json()["refresh"]

    response = anon_client.post(LOGOUT_URL, {"refresh": refresh}, format="json")

    assert response.status_code == 205
    assert anon_client.post(REFRESH_URL, {"refresh": refresh}, format="json").status_code == 401


def test_logout_with_garbage_token_is_401(anon_client):
    assert anon_client.post(LOGOUT_URL, {"refresh": "no-es-un-token"}, format="json").status_code == 401


def test_me_returns_the_contract_fields(client_for, cliente_user):
    response = client_for(cliente_user).get(ME_URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "email", "nombre", "apellidos", "telefono", "rol", "cliente", "sedes"}
    assert body["rol"] == "cliente"
    assert body["cliente"] == cliente_user.cliente.id


def test_me_of_staff_has_null_cliente(client_for, veterinario):
    assert client_for(veterinario).get(ME_URL).json()["cliente"] is None


def test_patch_me_changes_profile_but_not_rol_or_email(client_for, recepcionista):
    api = client_for(recepcionista)

    response = api.patch(
        ME_URL,
        {"nombre": "Lucía", "telefono": "+34 699 000 111", "rol": "admin", "email": "otro@x.test"},
        format="json",
    )

    assert response.status_code == 200
    recepcionista.refresh_from_db()
    assert recepcionista.nombre == "Lucía"
    assert recepcionista.telefono == "+34 699 000 111"
    assert recepcionista.rol == Rol.RECEPCIONISTA
    assert recepcionista.email != "otro@x.test"


def test_put_me_is_not_allowed(client_for, recepcionista):
    assert client_for(recepcionista).put(ME_URL, {"nombre": "X"}, format="json").status_code == 405


def test_me_requires_a_token(anon_client):
    assert anon_client.get(ME_URL).status_code == 401


def test_password_change_with_correct_current_password(client_for, anon_client, recepcionista):
    response = client_for(recepcionista).post(
        PASSWORD_URL, {"password_actual": DEFAULT_PASSWORD, "password_nueva": "Otra-Clave-Larga-77"}, format="json"
    )

    assert response.status_code == 204
    assert login(anon_client, recepcionista.email, "Otra-Clave-Larga-77").status_code == 200
    assert login(anon_client, recepcionista.email, DEFAULT_PASSWORD).status_code == 401


def test_password_change_with_wrong_current_password_is_400(client_for, recepcionista):
    response = client_for(recepcionista).post(
        PASSWORD_URL, {"password_actual": "incorrecta", "password_nueva": "Otra-Clave-Larga-77"}, format="json"
    )

    assert response.status_code == 400
    assert error_codes(response) == {"password_actual": ["password_incorrecta"]}


# The codes of Django's password validators (settings.AUTH_PASSWORD_VALIDATORS).
DJANGO_PASSWORD_CODES = {
    "password_too_short",
    "password_too_common",
    "password_entirely_numeric",
    "password_too_similar",
}


@pytest.mark.parametrize("weak", ["123", "12345678901", "password"])
def test_password_change_rejects_weak_passwords(client_for, recepcionista, weak):
    response = client_for(recepcionista).post(
        PASSWORD_URL, {"password_actual": DEFAULT_PASSWORD, "password_nueva": weak}, format="json"
    )

    assert response.status_code == 400
    codes = error_codes(response)
    assert list(codes) == ["password_nueva"]
    assert set(codes["password_nueva"]) <= DJANGO_PASSWORD_CODES
    recepcionista.refresh_from_db()
    assert recepcionista.check_password(DEFAULT_PASSWORD)


def test_password_change_revokes_earlier_tokens(anon_client, recepcionista):
    tokens = login(anon_client, recepcionista.email).json()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}

    anon_client.post(
        PASSWORD_URL, {"password_actual": DEFAULT_PASSWORD, "password_nueva": "Otra-Clave-Larga-77"}, **auth
    )

    assert anon_client.get(ME_URL, **auth).status_code == 401
    assert anon_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_deactivated_user_gets_401_at_once(anon_client, recepcionista):
    tokens = login(anon_client, recepcionista.email).json()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}
    assert anon_client.get(ME_URL, **auth).status_code == 200

    recepcionista.is_active = False
    recepcionista.save()

    assert anon_client.get(ME_URL, **auth).status_code == 401
    assert anon_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_password_is_never_returned(client_for, admin_user):
    api = client_for(admin_user)
    created = api.post(
        "/api/v1/usuarios/",
        {"email": "nuevo@clinica.test", "rol": "recepcionista", "password": "Clave-Muy-Segura-1"},
        format="json",
    )
    bodies = [created.json(), api.get(ME_URL).json(), api.get(f"/api/v1/usuarios/{created.json()['id']}/").json()]
    bodies += api.get("/api/v1/usuarios/").json()["results"]

    assert all("password" not in body for body in bodies)


# --- guessing the current password with a stolen token --------------------------------------


def change_password(api, actual, nueva="Otra-Clave-Larga-77", **extra):
    return api.post(PASSWORD_URL, {"password_actual": actual, "password_nueva": nueva}, format="json", **extra)


def test_password_change_is_throttled_per_user_after_login_rate(client_for, recepcionista, veterinario):
    api = client_for(recepcionista)

    statuses = [change_password(api, f"adivina-{n}").status_code for n in range(11)]

    # LOGIN_RATE=10/min: ten guesses get an answer, the eleventh is refused unchecked.
    assert statuses == [400] * 10 + [429]
    # another user is not held back by this user's guesses
    assert change_password(client_for(veterinario), DEFAULT_PASSWORD).status_code == 204


def test_a_throttled_password_change_changes_nothing_even_with_the_right_password(client_for, recepcionista):
    api = client_for(recepcionista)
    for n in range(10):
        change_password(api, f"adivina-{n}")

    response = change_password(api, DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert "Retry-After" in response
    recepcionista.refresh_from_db()
    assert recepcionista.check_password(DEFAULT_PASSWORD)


def test_the_password_change_limit_follows_the_user_not_the_address(client_for, recepcionista):
    api = client_for(recepcionista)
    for n in range(10):
        change_password(api, f"adivina-{n}", REMOTE_ADDR=f"10.0.0.{n + 1}")

    assert change_password(api, DEFAULT_PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 429


def test_password_change_guesses_and_logins_are_counted_apart(client_for, anon_client, recepcionista):
    # a user's login attempts (per address) do not use up their password-change attempts, nor the reverse
    for _ in range(10):
        login(anon_client, recepcionista.email, "mala")
    api = client_for(recepcionista)
    for n in range(9):
        change_password(api, f"adivina-{n}")

    assert change_password(api, DEFAULT_PASSWORD).status_code == 204
    assert login(anon_client, recepcionista.email, "Otra-Clave-Larga-77").status_code == 429
