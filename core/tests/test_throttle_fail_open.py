"""A cache outage does not take the API down: every throttle lets the request through and logs
a warning, and a dead Redis answers fast (short socket timeouts) instead of hanging requests."""

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings
from django.urls import reverse
from django.utils.module_loading import import_string
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory

from accounts import throttles
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from integraciones.tests.factories import integracion_con_clave

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
# Nothing listens on port 1: every cache call fails with a connection error, at once.
DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}
LOGGER = "accounts.throttles"


@pytest.fixture
def dead_cache(caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    with override_settings(CACHES=DEAD_REDIS):
        yield caplog


def throttle_warnings(caplog):
    return [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


def test_an_authenticated_api_request_is_answered_when_the_cache_is_down(dead_cache, client_for, recepcionista):
    response = client_for(recepcionista).get("/api/v1/auth/me/")

    assert response.status_code == 200
    assert response.json()["id"] == recepcionista.id
    assert throttle_warnings(dead_cache)


def test_login_answers_when_the_cache_is_down(dead_cache, anon_client):
    user = UserFactory(email="ana@clinica.test")

    wrong = anon_client.post("/api/v1/auth/token/", {"email": user.email, "password": "mala"}, format="json")
    right = anon_client.post("/api/v1/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")

    assert (wrong.status_code, right.status_code) == (401, 200)
    warnings = throttle_warnings(dead_cache)
    assert warnings
    # no personal data in the log: neither the email nor the client address
    logged = " ".join(record.getMessage() for record in warnings)
    assert user.email not in logged and "127.0.0.1" not in logged
    assert all(record.exc_info is None for record in warnings)


def test_an_anonymous_request_is_answered_when_the_cache_is_down(dead_cache, anon_client):
    response = anon_client.post("/api/v1/auth/token/refresh/", {"refresh": "no-es-un-token"}, format="json")

    assert response.status_code == 401
    assert throttle_warnings(dead_cache)


def test_password_change_answers_when_the_cache_is_down(dead_cache, client_for, recepcionista):
    response = client_for(recepcionista).post(
        "/api/v1/auth/password/",
        {"password_actual": DEFAULT_PASSWORD, "password_nueva": "Otra-Clave-Larga-77"},
        format="json",
    )

    assert response.status_code == 204
    assert throttle_warnings(dead_cache)


def test_admin_login_answers_when_the_cache_is_down(dead_cache, client, admin_user):
    response = client.post(
        reverse("admin:login"), {"username": admin_user.email, "password": DEFAULT_PASSWORD, "next": "/admin/"}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_user.pk)
    assert throttle_warnings(dead_cache)


# Every throttle the API uses: the defaults, and the login and password-change views' own.
THROTTLES = [
    *(f"{cls.__module__}.{cls.__qualname__}" for cls in api_settings.DEFAULT_THROTTLE_CLASSES),
    "accounts.throttles.LoginRateThrottle",
    "accounts.throttles.LoginIpRateThrottle",
    "accounts.throttles.PasswordChangeRateThrottle",
]


@pytest.mark.parametrize("throttle_path", THROTTLES, ids=lambda path: path.rsplit(".", 1)[-1])
@pytest.mark.parametrize("authenticated", [False, True], ids=["anonymous", "authenticated"])
def test_every_throttle_of_the_api_fails_open(dead_cache, recepcionista, throttle_path, authenticated):
    throttle_class = import_string(throttle_path)
    request = Request(APIRequestFactory().post("/api/v1/"))
    request.user = recepcionista if authenticated else AnonymousUser()

    assert throttle_class().allow_request(request, None) is True
    if throttle_class().get_cache_key(request, None) is not None:  # a throttle that applies to this caller
        assert throttle_warnings(dead_cache)


@pytest.mark.parametrize("throttle_path", THROTTLES, ids=lambda path: path.rsplit(".", 1)[-1])
def test_every_throttle_fails_open_on_any_cache_error(monkeypatch, caplog, recepcionista, throttle_path):
    throttle_class = import_string(throttle_path)

    # e.g. the database cache without its table, or a cache raising something of its own
    def broken(*args, **kwargs):
        raise RuntimeError("cache roto")

    for name in ("get", "set", "add", "incr"):
        monkeypatch.setattr(throttles.caches["default"], name, broken)
    caplog.set_level(logging.WARNING, logger=LOGGER)
    request = Request(APIRequestFactory().post("/api/v1/"))
    request.user = AnonymousUser() if throttle_class.scope == "anon" else recepcionista  # one it applies to
    if throttle_class.scope == "integracion":  # an integration key's request, as its authentication leaves it
        integracion, _clave = integracion_con_clave(permisos=[])
        request.user, request._auth = integracion.usuario, integracion

    assert throttle_class().allow_request(request, None) is True
    assert throttle_warnings(caplog)


def test_the_throttles_still_throttle_when_the_cache_works(recepcionista):
    request = Request(APIRequestFactory().post("/api/v1/"))
    request.user = recepcionista

    answers = [throttles.PasswordChangeRateThrottle().allow_request(request, None) for _ in range(11)]

    assert answers == [True] * 10 + [False]


def test_the_api_throttles_are_the_fail_open_ones():
    assert all(issubclass(import_string(path), throttles.FailOpenThrottleMixin) for path in THROTTLES)


def test_the_redis_cache_has_short_socket_timeouts_passed_to_redis_py():
    # given the settings as production builds them with REDIS_URL set
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vetclinic.settings.test", "REDIS_URL": "redis://127.0.0.1:1/0"}
    code = "import json; from vetclinic.settings import base; print(json.dumps(base.CACHES['default']))"
    default = json.loads(
        subprocess.run(
            [sys.executable, "-c", code], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True
        ).stdout
    )

    # then the timeouts are short, and Django's RedisCache hands them to redis-py's connections
    options = default["OPTIONS"]
    assert 0 < options["socket_connect_timeout"] <= 1
    assert 0 < options["socket_timeout"] <= 1
    cache = RedisCache(default["LOCATION"], {"OPTIONS": options})
    pool = cache._cache._get_connection_pool(write=True)
    assert pool.connection_kwargs["socket_connect_timeout"] == options["socket_connect_timeout"]
    assert pool.connection_kwargs["socket_timeout"] == options["socket_timeout"]
    started = time.monotonic()
    with pytest.raises(Exception):  # noqa: B017 - whatever redis-py raises for a refused connection
        cache.get("x")
    assert time.monotonic() - started < 2


def test_a_dead_redis_does_not_slow_a_request_down_much(dead_cache, client_for, recepcionista):
    api = client_for(recepcionista)
    started = time.monotonic()

    for _ in range(5):
        assert api.get("/api/v1/auth/me/").status_code == 200

    assert time.monotonic() - started < 5


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_on_a_live_redis_the_password_change_has_its_own_atomic_counter_per_user(client_for, recepcionista):
    live = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
    with override_settings(CACHES=live):
        key = f"throttle_password_{recepcionista.pk}:n"
        redis_client = cache._cache.get_client(write=True)
        for login_key in redis_client.scan_iter(match="*throttle_login*"):  # an earlier run's, within the minute
            redis_client.delete(login_key)
        cache.delete(key)
        api = client_for(recepcionista)

        statuses = [
            api.post(
                "/api/v1/auth/password/", {"password_actual": f"mala-{n}", "password_nueva": "x"}, format="json"
            ).status_code
            for n in range(11)
        ]

        assert statuses == [400] * 10 + [429]
        assert cache.get(key) == 11
        assert (
            0 < cache._cache.get_client(write=False).ttl(cache.make_and_validate_key(key)) <= 60
        )  # LOGIN_RATE's minute
        assert not list(redis_client.scan_iter(match="*throttle_login*"))  # logins are counted apart
        cache.delete(key)


DEAD_REDIS_WITH_FALLBACK = {
    **DEAD_REDIS,
    "fallback": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "vetclinic_cache"},
}


def test_password_guesses_stay_limited_while_redis_is_down(caplog, anon_client, settings):
    """The request ceilings fail open, but logins are counted in the database cache meanwhile."""
    settings.CACHES = DEAD_REDIS_WITH_FALLBACK
    caplog.set_level(logging.WARNING, logger=LOGGER)
    user = UserFactory()
    limit = throttles.LoginRateThrottle().num_requests

    answers = [
        anon_client.post("/api/v1/auth/token/", {"email": user.email, "password": "mala"}, format="json").status_code
        for _ in range(limit + 1)
    ]

    assert answers == [401] * limit + [429]
    assert any("fallback" in record.getMessage() for record in throttle_warnings(caplog))
