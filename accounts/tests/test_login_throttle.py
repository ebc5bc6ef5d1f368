"""Login is throttled per (client IP, email) at LOGIN_RATE and per client IP at LOGIN_IP_RATE,
the API's and the admin's login together, on every cache the counters may live in: the
in-process one of the tests, the database cache (the fallback without Redis) and a real Redis."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
TOKEN_URL = "/api/v1/auth/token/"
# Redis db 9 of the local server unless REDIS_URL names another (CI sets it).
REDIS_URL = os.environ.get("REDIS_URL", "")

COUNTER_CACHES = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "login-throttle"},
    "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "vetclinic_cache"},
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
}


@pytest.fixture(
    params=[
        "locmem",
        "database",
        pytest.param("redis", marks=pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")),
    ]
)
def counters(request):
    """The default cache (where the counters live) as the parameter says; empty at the start."""
    caches = {
        "default": COUNTER_CACHES[request.param],
        "fallback": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fallback"},
    }
    with override_settings(CACHES=caches):
        cache.clear()
        yield request.param
        cache.clear()


@pytest.fixture
def rates(settings):
    """rates(login="3/min", login_ip="5/min") → those rates for the rest of the test."""

    def set_rates(**scopes):
        rest = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {**rest, "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], **scopes}}

    return set_rates


def login(client, email, password="mala", **extra):
    return client.post(TOKEN_URL, {"email": email, "password": password}, format="json", **extra)


def admin_login(client, email, password="mala", **extra):
    return client.post(reverse("admin:login"), {"username": email, "password": password, "next": "/admin/"}, **extra)


# --- per (client IP, email) ------------------------------------------------------------------


def test_a_spent_email_budget_refuses_that_email_but_not_another_one_from_the_same_ip(counters, anon_client):
    # given ten wrong passwords for ana from one address (LOGIN_RATE=10/min)
    UserFactory(email="ana@clinica.test")
    bea = UserFactory(email="bea@clinica.test")
    statuses = [login(anon_client, "ana@clinica.test").status_code for _ in range(10)]

    # when ana is tried again, even with her right password, and then bea
    ana_again = login(anon_client, "ana@clinica.test", DEFAULT_PASSWORD)
    bea_right = login(anon_client, bea.email, DEFAULT_PASSWORD)

    # then ana is refused unchecked, with a Retry-After within the window; bea logs in
    assert statuses == [401] * 10
    assert ana_again.status_code == 429
    assert "access" not in ana_again.json()
    assert 0 < int(ana_again["Retry-After"]) <= 60
    assert bea_right.status_code == 200


def test_the_email_budget_ignores_case_and_surrounding_spaces(counters, anon_client):
    UserFactory(email="ana@clinica.test")
    spellings = ["ana@clinica.test", "ANA@clinica.test", " Ana@Clinica.Test ", "ana@CLINICA.TEST\t"]
    for n in range(10):
        login(anon_client, spellings[n % len(spellings)])

    assert login(anon_client, "aNa@clinica.TEST", DEFAULT_PASSWORD).status_code == 429


def test_the_email_budget_is_per_address(counters, anon_client):
    UserFactory(email="ana@clinica.test")
    for _ in range(10):
        login(anon_client, "ana@clinica.test")

    assert login(anon_client, "ana@clinica.test", REMOTE_ADDR="10.9.9.9").status_code == 401  # checked, wrong
    assert login(anon_client, "ana@clinica.test", DEFAULT_PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 200


# --- per client IP -----------------------------------------------------------------------------


def test_a_spent_ip_budget_refuses_any_email_from_that_ip(counters, rates, anon_client):
    # given LOGIN_IP_RATE=3/min and three attempts at three different accounts from one address
    rates(login_ip="3/min")
    user = UserFactory(email="nueva@clinica.test")
    statuses = [login(anon_client, f"otra{n}@clinica.test").status_code for n in range(3)]

    # when a fourth account is tried from there, with its right password
    refused = login(anon_client, user.email, DEFAULT_PASSWORD)

    # then it is refused; from another address it logs in
    assert statuses == [401] * 3
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert login(anon_client, user.email, DEFAULT_PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 200


def test_the_ip_budget_is_one_hundred_a_minute_by_default(counters, anon_client):
    # the email budget (10) would not stop these: every attempt names another account
    statuses = [login(anon_client, f"otra{n}@clinica.test").status_code for n in range(101)]

    assert statuses == [401] * 100 + [429]


def test_attempts_refused_by_the_email_budget_still_count_for_the_ip(counters, rates, anon_client):
    # an address hammering one account is also spending its own budget
    rates(login="2/min", login_ip="5/min")
    UserFactory(email="ana@clinica.test")
    for _ in range(5):
        login(anon_client, "ana@clinica.test")

    assert login(anon_client, "bea@clinica.test").status_code == 429


# --- which address: NUM_PROXIES ----------------------------------------------------------------


def test_without_trusted_proxies_x_forwarded_for_is_ignored(counters, rates, anon_client):
    rates(login_ip="3/min")
    for n in range(3):
        login(anon_client, f"otra{n}@clinica.test", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    # a forged header does not buy a fresh address: the socket's is the client's
    assert login(anon_client, "otra9@clinica.test", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429


def test_with_one_trusted_proxy_the_last_forwarded_address_is_the_client(counters, rates, settings, anon_client):
    rates(login_ip="3/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    user = UserFactory(email="ana@clinica.test")
    for n in range(3):
        # what the client wrote, then what the proxy appended: the proxy's entry counts
        login(anon_client, f"otra{n}@clinica.test", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 198.51.100.1")

    same_client = login(anon_client, user.email, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1")
    other_client = login(anon_client, user.email, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7")

    # both come through the same proxy socket (127.0.0.1): only the forwarded address tells them apart
    assert (same_client.status_code, other_client.status_code) == (429, 200)


def test_num_proxies_and_login_ip_rate_are_read_from_the_environment():
    # given the settings as they are built from these variables
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vetclinic.settings.test",
        "NUM_PROXIES": "2",
        "LOGIN_RATE": "7/min",
        "LOGIN_IP_RATE": "70/hour",
    }
    code = "import json; from vetclinic.settings import base; print(json.dumps(base.REST_FRAMEWORK))"
    rest_framework = json.loads(
        subprocess.run(
            [sys.executable, "-c", code], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True
        ).stdout
    )

    assert rest_framework["NUM_PROXIES"] == 2
    assert rest_framework["DEFAULT_THROTTLE_RATES"]["login"] == "7/min"
    assert rest_framework["DEFAULT_THROTTLE_RATES"]["login_ip"] == "70/hour"


# --- the admin's login shares the counters ------------------------------------------------------


def test_admin_attempts_spend_the_email_budget_of_the_api(counters, client, anon_client, admin_user):
    other = UserFactory(email="bea@clinica.test")
    for _ in range(10):
        admin_login(client, admin_user.email)

    assert login(anon_client, admin_user.email, DEFAULT_PASSWORD).status_code == 429
    assert admin_login(client, admin_user.email, DEFAULT_PASSWORD).status_code == 429
    # the admin's email only: another account from the same address still gets in
    assert login(anon_client, other.email, DEFAULT_PASSWORD).status_code == 200


def test_admin_and_api_attempts_add_up_for_the_ip_budget(counters, rates, client, anon_client, admin_user):
    rates(login_ip="4/min")
    for n in range(2):
        admin_login(client, f"otra{n}@clinica.test")
        login(anon_client, f"otra{n + 2}@clinica.test")

    refused = admin_login(client, admin_user.email, DEFAULT_PASSWORD)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "_auth_user_id" not in client.session
    assert login(anon_client, admin_user.email, DEFAULT_PASSWORD).status_code == 429


# --- odd bodies ----------------------------------------------------------------------------------


def test_a_body_that_does_not_parse_is_a_400_not_a_throttle_failure(counters, anon_client):
    response = anon_client.post(TOKEN_URL, data='{"email": ', content_type="application/json")

    assert response.status_code == 400
    assert "JSON" in json.dumps(response.json())


@pytest.mark.parametrize(
    ("body", "answer"),
    [([], 400), (["ana@clinica.test"], 400), ({"password": "x"}, 400), ({"email": 5, "password": "x"}, 401)],
)
def test_bodies_without_an_email_string_are_answered_and_counted(counters, rates, anon_client, body, answer):
    rates(login_ip="3/min")
    statuses = [anon_client.post(TOKEN_URL, body, format="json").status_code for _ in range(4)]

    assert statuses == [answer] * 3 + [429]


# --- what the counters store ------------------------------------------------------------------------


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")
@pytest.mark.parametrize("counters", ["redis"], indirect=True)
def test_on_redis_each_budget_is_one_expiring_counter_with_no_email_in_its_key(counters, anon_client):
    UserFactory(email="ana@clinica.test")
    for _ in range(3):
        login(anon_client, "ana@clinica.test")

    client = cache._cache.get_client(write=False)
    keys = sorted(key.decode() for key in client.keys("*throttle_login*"))

    assert len(keys) == 2  # one per (address, email), one per address
    assert not any("ana" in key or "clinica" in key for key in keys)
    assert any(key.endswith("throttle_login_ip_127.0.0.1:n") for key in keys)
    for key in keys:
        assert int(client.get(key)) == 3
        assert 0 < client.ttl(key) <= 60
