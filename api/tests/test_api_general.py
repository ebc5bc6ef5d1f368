import pytest
from django.db import connection

from tests.errors import error_code, error_details

pytestmark = pytest.mark.django_db


def test_health_is_ok_without_auth(anon_client):
    response = anon_client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_is_503_when_the_database_is_unreachable(anon_client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("conexión rechazada")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = anon_client.get("/health/")

    assert response.status_code == 503
    assert response.json()["database"] == "error"


DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def test_health_reports_a_dead_cache_as_degraded(anon_client, settings):
    settings.CACHES = DEAD_REDIS

    response = anon_client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "error"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and privileges are PostgreSQL's")
def test_health_is_503_when_the_app_role_may_not_read_its_tables(anon_client):
    # Given a connection acting as a role that can log in but has no privilege on the project's tables
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE vetclinic_sin_permisos NOLOGIN")
        cursor.execute("SET LOCAL ROLE vetclinic_sin_permisos")

    response = anon_client.get("/health/")

    assert response.status_code == 503
    assert response.json()["database"] == "error"


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_api_docs_are_served(anon_client, path):
    response = anon_client.get(path)

    assert response.status_code == 200


def test_docs_use_no_cdn(anon_client):
    html = anon_client.get("/api/docs/").content.decode()

    assert "cdn.jsdelivr" not in html
    assert "/static/drf_spectacular_sidecar/" in html


def test_messages_default_to_spanish_and_follow_accept_language(anon_client):
    es_response = anon_client.get("/api/v1/auth/me/")
    en_response = anon_client.get("/api/v1/auth/me/", HTTP_ACCEPT_LANGUAGE="en")
    (es,) = error_details(es_response)[None]
    (en,) = error_details(en_response)[None]

    assert en == "Authentication credentials were not provided."
    assert es != en
    assert "autenticación" in es.lower()
    assert error_code(es_response) == error_code(en_response) == "not_authenticated"


def test_unknown_api_path_is_404(client_for, admin_user):
    response = client_for(admin_user).get("/api/v1/no-existe/")

    assert response.status_code == 404
    assert error_code(response) == "not_found"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("es", "La contraseña actual no es correcta."), ("en", "The current password is not correct.")],
)
def test_our_own_messages_are_translated_too(client_for, recepcionista, language, expected):
    response = client_for(recepcionista).post(
        "/api/v1/auth/password/",
        {"password_actual": "no-es-esta", "password_nueva": "Otra-clave-larga-2026"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 400
    assert error_details(response) == {"password_actual": [expected]}
