"""Authentication messages are translated like every other: Spanish by default and under
`Accept-Language: es`, English under `en` (simplejwt's included, whose catalog Django loads
because the app is installed, with the entries its Spanish catalog lacks in locale/es)."""

import datetime

import pytest
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REFRESH_URL = "/api/v1/auth/token/refresh/"
ME_URL = "/api/v1/auth/me/"


def _walk(data, key=None):
    """(key, value) of every string in an error body, however it nests them."""
    if isinstance(data, dict):
        for name, value in data.items():
            yield from _walk(value, name)
    elif isinstance(data, list):
        for value in data:
            yield from _walk(value, key)
    elif isinstance(data, str):
        yield key, data


def messages(response):
    """Every message of an error answer, whatever its shape: `{"detail"}`, simplejwt's
    `{"detail", "code", "messages": [{"message"}]}` or `{"errors": [{"code", "detail"}]}`."""
    return {value for key, value in _walk(response.json()) if key in {"detail", "message"}}


def codes(response):
    """Every error code of an answer: values of "code" members, and the codes DRF attaches to
    its error strings."""
    found = {value for key, value in _walk(response.json()) if key == "code"}
    found |= {getattr(value, "code", None) for _key, value in _walk(response.data)} - {None}
    return found


def expired_access_token(user):
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - datetime.timedelta(hours=1), lifetime=datetime.timedelta(minutes=15))
    return str(token)


def wrong_password(client, user, **language):
    return client.post(TOKEN_URL, {"email": user.email, "password": "mala"}, format="json", **language)


def no_credentials(client, user, **language):
    return client.get(ME_URL, **language)


def garbage_token(client, user, **language):
    return client.get(ME_URL, HTTP_AUTHORIZATION="Bearer no-es-un-token", **language)


def expired_token(client, user, **language):
    return client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {expired_access_token(user)}", **language)


def header_without_token(client, user, **language):
    return client.get(ME_URL, HTTP_AUTHORIZATION="Bearer", **language)


def inactive_user(client, user, **language):
    token = AccessToken.for_user(user)
    user.is_active = False
    user.save()
    return client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {token}", **language)


def deleted_user(client, user, **language):
    token = AccessToken.for_user(user)
    user.delete()
    return client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {token}", **language)


def password_changed(client, user, **language):
    token = AccessToken.for_user(user)
    user.set_password("Otra-Clave-Larga-77")
    user.save()
    return client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {token}", **language)


def refresh_of_inactive_user(client, user, **language):
    refresh = RefreshToken.for_user(user)
    user.is_active = False
    user.save()
    return client.post(REFRESH_URL, {"refresh": str(refresh)}, format="json", **language)


def refresh_garbage(client, user, **language):
    return client.post(REFRESH_URL, {"refresh": "no-es-un-token"}, format="json", **language)


# (what the caller does, the contract's code, the Spanish message, the English one)
CASES = [
    (
        wrong_password,
        "no_active_account",
        "La combinación de credenciales no tiene una cuenta activa",
        "No active account found with the given credentials",
    ),
    (
        no_credentials,
        "not_authenticated",
        "Las credenciales de autenticación no se proveyeron.",
        "Authentication credentials were not provided.",
    ),
    (
        # the reason the token was refused (api.exceptions), not simplejwt's generic detail
        garbage_token,
        "token_not_valid",
        "El token no es válido",
        "Token is invalid",
    ),
    (expired_token, "token_not_valid", "El token ha caducado", "Token is expired"),
    (
        header_without_token,
        "authentication_failed",
        "El encabezado 'Authorization' debe contener valores delimitados por espacios",
        "Authorization header must contain two space-delimited values",
    ),
    (inactive_user, "user_inactive", "El usuario está inactivo", "User is inactive"),
    (deleted_user, "authentication_failed", "Usuario no encontrado", "User not found"),
    (
        password_changed,
        "token_not_valid",
        "La contraseña del usuario ha cambiado.",
        "The user's password has been changed.",
    ),
    (
        refresh_of_inactive_user,
        "no_active_account",
        "No hay ninguna cuenta activa para este token.",
        "No active account found for the given token.",
    ),
    (refresh_garbage, "token_not_valid", "El token no es válido", "Token is invalid"),
]
IDS = [case[0].__name__ for case in CASES]


@pytest.mark.parametrize(("act", "code", "spanish", "english"), CASES, ids=IDS)
@pytest.mark.parametrize("language", [{}, {"HTTP_ACCEPT_LANGUAGE": "es"}, {"HTTP_ACCEPT_LANGUAGE": "es-ES,en;q=0.5"}])
def test_authentication_messages_are_spanish_by_default_and_under_es(
    anon_client, act, code, spanish, english, language
):
    response = act(anon_client, UserFactory(), **language)

    assert response.status_code == 401
    assert code in codes(response)
    assert spanish in messages(response)
    assert not {english, "Token is invalid", "Token is expired"} & messages(response)


@pytest.mark.parametrize(("act", "code", "spanish", "english"), CASES, ids=IDS)
def test_authentication_messages_are_english_under_en(anon_client, act, code, spanish, english):
    response = act(anon_client, UserFactory(), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401
    assert code in codes(response)
    assert english in messages(response)
    assert spanish not in messages(response)


def test_the_projects_own_token_message_is_translated_too(anon_client):
    # a token issued before a logout dies with the session (accounts.authentication)
    user = UserFactory()
    refresh = anon_client.post(TOKEN_URL, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
    access = refresh.json()["access"]
    anon_client.post("/api/v1/auth/logout/", {"refresh": refresh.json()["refresh"]}, format="json")

    es = anon_client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {access}")
    en = anon_client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {access}", HTTP_ACCEPT_LANGUAGE="en")

    assert (es.status_code, en.status_code) == (401, 401)
    assert "token_not_valid" in codes(es)
    assert "El token ya no es válido." in messages(es)
    assert "The token is no longer valid." in messages(en)
