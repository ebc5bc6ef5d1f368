"""Fixtures shared by every app's tests."""

import contextlib
import threading

import pytest
from django.core.cache import caches
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Rol
from accounts.tests.factories import AdminFactory, RecepcionistaFactory, UserFactory, VeterinarioFactory
from clientes.tests.factories import ClienteConUsuarioFactory
from sedes.tests.factories import SedeFactory, sede_principal


def _clear_caches():
    for cache in caches.all(initialized_only=True):
        # a test may have pointed a cache at a dead server or a missing table
        with contextlib.suppress(Exception):
            cache.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters live in the caches; every test starts with none.
    _clear_caches()
    yield
    _clear_caches()


@pytest.fixture(autouse=True)
def _sede_principal(request):
    """Every test with a database starts from a migrated installation, which has the default
    sede (sedes 0002): a transactional test's flush removes it with every other row, so it is
    put back for whatever test comes next."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker is not None and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    sede_principal()


@pytest.fixture
def madrid():
    """The default sede (Europe/Madrid, the test settings' TIME_ZONE)."""
    return sede_principal()


@pytest.fixture
def canarias():
    """A second sede, an hour behind the default one."""
    return SedeFactory(nombre="Las Palmas", codigo="LPA", zona_horaria="Atlantic/Canary")


def bearer(user):
    """An Authorization header with a real access token, as a client would send it."""
    return {"HTTP_AUTHORIZATION": f"Bearer {RefreshToken.for_user(user).access_token}"}


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def client_for():
    """client_for(user) → an APIClient authenticated with a JWT of that user."""

    def make(user):
        api = APIClient()
        api.credentials(**bearer(user))
        api.user = user
        return api

    return make


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def veterinario(db):
    return VeterinarioFactory()


@pytest.fixture
def recepcionista(db):
    return RecepcionistaFactory()


@pytest.fixture
def cliente(db):
    """A Cliente record whose owner-portal user has rol `cliente`."""
    return ClienteConUsuarioFactory()


@pytest.fixture
def cliente_user(cliente):
    return cliente.usuario


@pytest.fixture
def user_of_rol(db):
    """user_of_rol("veterinario") → a fresh user of that rol (a `cliente` comes linked to a Cliente)."""

    def make(rol):
        if rol == Rol.CLIENTE:
            return ClienteConUsuarioFactory().usuario
        return UserFactory(rol=rol)

    return make


@pytest.fixture
def api_client(client_for, user_of_rol):
    """api_client("recepcionista") → an APIClient logged in as a new user of that rol."""

    def make(rol):
        return client_for(user_of_rol(rol))

    return make


@pytest.fixture
def web(client, user_of_rol):
    """web("recepcionista") → Django's test client, logged into the admin as a new user of that rol."""

    def login(rol):
        client.force_login(user_of_rol(rol))
        return client

    return login


def run_at_once(calls):
    """Runs every callable in its own thread (its own database connection), released together."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
