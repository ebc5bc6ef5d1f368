"""Every authenticated answer carries X-RateLimit-Limit, -Remaining and -Reset for the caller's
ceiling (USER_RATE per user); a 429 carries Retry-After as well."""

import os

import pytest
from django.core.cache import cache
from django.test import override_settings

from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

ME_URL = "/api/v1/auth/me/"
HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture(
    params=[
        "locmem",
        pytest.param("redis", marks=pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")),
    ]
)
def counters(request):
    """The request ceilings counted in the tests' in-process cache, or in a real Redis."""
    if request.param == "locmem":
        yield request.param
        return
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "fallback": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fallback"},
    }
    with override_settings(CACHES=caches):
        cache.clear()
        yield request.param
        cache.clear()


@pytest.fixture
def user_rate(settings):
    def set_rate(rate):
        rest = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {**rest, "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], "user": rate}}

    return set_rate


def rate_limit(response):
    return tuple(int(response[name]) for name in HEADERS)


def test_an_authenticated_answer_carries_the_users_ceiling(counters, client_for, recepcionista):
    response = client_for(recepcionista).get(ME_URL)

    assert response.status_code == 200
    limit, remaining, reset = rate_limit(response)
    assert (limit, remaining) == (1200, 1199)  # USER_RATE=1200/min, this request counted
    assert 0 < reset <= 60


def test_remaining_goes_down_with_each_request(counters, client_for, recepcionista):
    api = client_for(recepcionista)

    remaining = [int(api.get(ME_URL)["X-RateLimit-Remaining"]) for _ in range(4)]

    assert remaining == [1199, 1198, 1197, 1196]


def test_each_user_has_their_own_count(counters, client_for, recepcionista, veterinario):
    for _ in range(3):
        client_for(recepcionista).get(ME_URL)

    assert client_for(veterinario).get(ME_URL)["X-RateLimit-Remaining"] == "1199"


def test_the_429_says_when_to_come_back_in_both_headers(counters, user_rate, client_for, recepcionista):
    # given USER_RATE=3/min, spent
    user_rate("3/min")
    api = client_for(recepcionista)
    answers = [api.get(ME_URL) for _ in range(3)]

    # when one more request comes
    refused = api.get(ME_URL)

    # then it is a 429 whose Retry-After is the Reset of its rate-limit headers
    assert [rate_limit(answer)[:2] for answer in answers] == [(3, 2), (3, 1), (3, 0)]
    assert refused.status_code == 429
    limit, remaining, reset = rate_limit(refused)
    assert (limit, remaining) == (3, 0)
    assert 0 < reset <= 60
    assert int(refused["Retry-After"]) == reset


@pytest.mark.parametrize(
    ("rol", "path", "status"),
    [
        ("recepcionista", "/api/v1/pacientes/", 200),  # a viewset of the base viewsets
        ("veterinario", "/api/v1/veterinarios/", 200),
        ("recepcionista", "/api/v1/pacientes/999999/", 404),  # raised in the view
        ("recepcionista", "/api/v1/pacientes/?especie=dragon", 400),  # a bad filter value
        ("recepcionista", "/api/v1/auth/me/", 200),  # the auth views are plain APIViews
    ],
)
def test_answers_of_every_kind_of_view_carry_the_headers(counters, api_client, rol, path, status):
    response = api_client(rol).get(path)

    assert response.status_code == status
    assert rate_limit(response)[:2] == (1200, 1199)


def test_a_refusal_by_role_shows_the_count_without_spending_it(counters, api_client):
    # given an owner who made one request
    api = api_client("cliente")
    assert api.get(ME_URL)["X-RateLimit-Remaining"] == "1199"

    # when they ask for something their rol may not see (refused before any throttle runs)
    forbidden = api.get("/api/v1/usuarios/")

    # then the 403 shows the ceiling as it stands, and it was not counted
    assert forbidden.status_code == 403
    limit, remaining, reset = rate_limit(forbidden)
    assert (limit, remaining) == (1200, 1199)
    assert 0 < reset <= 60
    assert api.get(ME_URL)["X-RateLimit-Remaining"] == "1198"


def test_the_password_change_counts_against_the_ceiling_too(counters, client_for, recepcionista):
    api = client_for(recepcionista)
    api.get(ME_URL)

    response = api.post(
        "/api/v1/auth/password/",
        {"password_actual": DEFAULT_PASSWORD, "password_nueva": "Otra-Clave-Larga-77"},
        format="json",
    )

    assert response.status_code == 204
    assert rate_limit(response)[:2] == (1200, 1198)


def test_anonymous_answers_carry_no_user_ceiling(anon_client):
    unauthenticated = anon_client.get(ME_URL)
    refresh = anon_client.post("/api/v1/auth/token/refresh/", {"refresh": "no-es-un-token"}, format="json")

    assert (unauthenticated.status_code, refresh.status_code) == (401, 401)
    assert not any(name in answer for answer in (unauthenticated, refresh) for name in HEADERS)


def test_a_bad_token_gets_no_headers(anon_client):
    response = anon_client.get(ME_URL, HTTP_AUTHORIZATION="Bearer no-es-un-token")

    assert response.status_code == 401
    assert not any(name in response for name in HEADERS)


def test_with_the_cache_down_the_answer_comes_without_headers(client_for, recepcionista):
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=dead):
        ok = client_for(recepcionista).get(ME_URL)
        forbidden = client_for(recepcionista).get("/api/v1/usuarios/")

    # the ceiling fails open: the answers are the usual ones, without a count to show
    assert (ok.status_code, forbidden.status_code) == (200, 403)
    assert not any(name in answer for answer in (ok, forbidden) for name in HEADERS)
