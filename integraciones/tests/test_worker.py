"""Real Celery workers on a Redis broker: a worker killed mid-delivery loses nothing.

Needs PostgreSQL and a Redis broker for the workers this test starts itself
(`CELERY_TEST_BROKER_URL`, e.g. redis://127.0.0.1:6379/14; .ci/run sets it in its
PostgreSQL + Redis pass); skipped otherwise.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from clientes.tests.factories import ClienteFactory
from core import events
from integraciones.models import Entrega, EstadoEntrega
from vetclinic.celery import app as celery_app

from .factories import WebhookFactory
from .receiver import Receiver

BROKER = settings.CELERY_TEST_BROKER_URL
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not BROKER, reason="CELERY_TEST_BROKER_URL is not set: no broker for real workers"),
]


def database_url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(tmp_path, name):
    """`celery -A vetclinic worker --beat` on the test database, one process (solo pool)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vetclinic.settings.dev",
        "DEBUG": "true",  # the receiver is on loopback
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "WEBHOOK_BARRIDO_SEGUNDOS": "1",
        "WEBHOOK_TIMEOUT_SEGUNDOS": "30",
    }
    command = [sys.executable, "-m", "celery", "-A", "vetclinic", "worker", "--beat", "--pool=solo"]
    command += ["-n", f"{name}@%h", "-s", str(tmp_path / f"beat-{name}"), "--loglevel=INFO"]
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def broker_dispatch():
    """Queues tasks on the test broker from this process (the suite otherwise runs them eagerly)."""
    saved = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, BROKER
    with celery_app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()  # nothing left over from an earlier run
    yield
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = saved
    celery_app.pool.force_close_all()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_leaves_it_to_be_retried_not_lost(tmp_path, broker_dispatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the workers share the test database")
    with Receiver(hold_first=60) as receiver:
        webhook = WebhookFactory(url=receiver.url)
        first = start_worker(tmp_path, "uno")
        try:
            # given a delivery a worker is in the middle of (the receiver holds its request)
            with transaction.atomic():
                events.publish("cliente.actualizado", instance=ClienteFactory())
            assert receiver.arrived.wait(60), (tmp_path / "uno.log").read_text()
            entrega = Entrega.objects.get(webhook=webhook)

            # when that worker is killed outright
            first.send_signal(signal.SIGKILL)
            first.wait(10)

            # then the delivery is still due, as if never tried
            entrega.refresh_from_db()
            assert (entrega.estado, entrega.intento) == (EstadoEntrega.PENDIENTE, 0)
        finally:
            first.kill()

        # and another worker delivers it, with the same event id
        second = start_worker(tmp_path, "dos")
        try:
            delivered = wait_for(lambda: Entrega.objects.get(pk=entrega.pk).estado == EstadoEntrega.ENTREGADA, 90)
            assert delivered, (tmp_path / "dos.log").read_text()[-3000:]
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                second.wait(15)
            except subprocess.TimeoutExpired:
                second.kill()
        entrega.refresh_from_db()
        assert entrega.intento == 1
        ids = {headers["X-VetClinic-Delivery"] for headers, _body in receiver.requests}
        assert ids == {str(entrega.evento_id)}
        assert len(receiver.requests) >= 2
