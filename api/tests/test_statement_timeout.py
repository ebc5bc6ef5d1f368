"""No statement of a web request holds PostgreSQL past DB_STATEMENT_TIMEOUT_MS (PostgreSQL only)."""

import contextlib
import os
import subprocess
import sys
import threading
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from clientes.tests.factories import ClienteFactory
from clientes.tests.test_admin import client_page_data
from tests.errors import error_code

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's"),
]


def _show(name):
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_web_connections_have_the_statement_timeout_and_no_jit():
    assert settings.DB_STATEMENT_TIMEOUT_MS == 5000

    assert _show("statement_timeout") == "5s"
    assert _show("jit") == "off"


@pytest.mark.django_db
def test_management_commands_get_the_command_timeout():
    """manage.py marks every command but runserver as a batch job (no limit by default)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vetclinic.settings.dev", "DATABASE_URL": _database_url()}
    env.pop("VETCLINIC_PROCESS", None)
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('SHOW statement_timeout'); print(c.fetchone()[0])"
    )

    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout

    assert output.strip().splitlines()[-1] == "0"


def _database_url():
    params = connection.settings_dict
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    host = f"{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    return f"postgres://{params['USER']}{password}@{host}/{params['NAME']}"


@pytest.fixture
def short_statement_timeout():
    """The app's connections reopened with a 300 ms statement timeout (through the same
    OPTIONS the settings build), restored afterwards."""
    options = connection.settings_dict["OPTIONS"]
    saved = options["options"]
    connection.close()
    options["options"] = "-c statement_timeout=300 -c jit=off"
    yield
    connection.close()
    options["options"] = saved


@contextlib.contextmanager
def row_locked(table, pk):
    """Another session holds `table`'s row `pk` locked (FOR UPDATE) while the block runs."""
    params = connection.settings_dict
    holder = psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname=params["NAME"],
    )
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        with holder.transaction():
            holder.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [pk])
            locked.set()
            release.wait(10)

    thread = threading.Thread(target=hold_lock)
    thread.start()
    try:
        assert locked.wait(5)
        yield
    finally:
        release.set()
        thread.join()
        holder.close()


@pytest.mark.django_db(transaction=True)
def test_a_statement_blocked_past_the_timeout_answers_503_instead_of_hanging(
    client_for, admin_user, short_statement_timeout
):
    # Given a cliente whose row another session holds locked for longer than the timeout
    cliente = ClienteFactory()
    with row_locked("clientes_cliente", cliente.pk):
        # When the API is asked to change it
        started = time.monotonic()
        response = client_for(admin_user).patch(f"/api/v1/clientes/{cliente.pk}/", {"ciudad": "Soria"})
        elapsed = time.monotonic() - started

    # Then PostgreSQL cancels the statement and the worker answers 503 JSON, well before the lock ends
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert error_code(response) == "statement_timeout"
    assert response["Retry-After"]
    assert elapsed < 5
    cliente.refresh_from_db()
    assert cliente.ciudad != "Soria"


@pytest.mark.django_db(transaction=True)
def test_the_admin_answers_503_too_when_a_statement_is_cancelled(client, admin_user, short_statement_timeout):
    cliente = ClienteFactory()
    client.force_login(admin_user)
    page = reverse("admin:clientes_cliente_change", args=[cliente.pk])
    data = {**client_page_data(cliente, []), "ciudad": "Soria"}

    with row_locked("clientes_cliente", cliente.pk):
        response = client.post(page, data)

    assert response.status_code == 503
    cliente.refresh_from_db()
    assert cliente.ciudad != "Soria"
