"""The login throttle is shared by every worker process, not kept in one process's memory."""

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from django.db import connection

from accounts.tests.factories import UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database shared by several processes"),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(extra):
    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="vetclinic.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        LOGIN_RATE="4/min",
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def wait_until_up(port, deadline=30):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out while the server starts
            time.sleep(0.2)
    raise AssertionError(f"server on port {port} did not start")


def login(port, email):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/token/",
        data=b'{"email": "%s", "password": "mala"}' % email.encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def two_servers(request):
    """Two gunicorn app servers (two threaded workers each) on one database."""
    cache = {"REDIS_URL": os.environ["REDIS_URL"]} if request.param == "redis" else {}
    if cache:
        # Counters of an earlier test (same client IP, same minute) must not count here.
        server = redis.Redis.from_url(cache["REDIS_URL"])
        for key in server.scan_iter(match="*throttle_login_*"):
            server.delete(key)
    env = server_env(cache)
    if request.param == "database":
        subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=BASE_DIR, env=env, check=True)
    ports = [free_port(), free_port()]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    servers = [
        subprocess.Popen(
            [gunicorn, "vetclinic.wsgi", "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            wait_until_up(port)
        yield ports
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=15)


@pytest.mark.parametrize(
    "two_servers",
    [
        "database",
        pytest.param("redis", marks=pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")),
    ],
    indirect=True,
)
def test_login_throttle_holds_across_processes(two_servers):
    user = UserFactory()
    first, second = two_servers

    statuses = [login(port, user.email) for port in (first, second) * 3]

    # LOGIN_RATE=4/min: four attempts in all, whichever process served them, then 429 on both.
    assert statuses == [401, 401, 401, 401, 429, 429]


def login_burst(ports, email, count):
    """`count` logins at once, spread over `ports` (threads released together)."""
    barrier = threading.Barrier(count)

    def attempt(port):
        barrier.wait()
        return login(port, email)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, [ports[i % len(ports)] for i in range(count)]))


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
@pytest.mark.parametrize("two_servers", ["redis"], indirect=True)
def test_a_concurrent_burst_gets_exactly_the_allowed_attempts_on_redis(two_servers):
    user = UserFactory()

    statuses = login_burst(two_servers, user.email, 40)

    # LOGIN_RATE=4/min: four attempts get an answer, the other 36 a 429, however they raced.
    assert sorted(statuses) == [401] * 4 + [429] * 36
