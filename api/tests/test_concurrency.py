"""If-Match and Idempotency-Key under truly concurrent requests, each in its own thread and
database connection against the live test database (PostgreSQL only: SQLite runs one writer
at a time, so nothing could race there)."""


import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import RecepcionistaFactory
from api.models import IdempotencyKey
from api.tests.utils import error_code
from citas.models import Cita
from citas.tests.factories import CitaFactory
from clientes.models import Cliente
from conftest import bearer, run_at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def client(user):
    api = APIClient(raise_request_exception=False)
    api.credentials(**bearer(user))
    return api


def put_call(user, path, body, if_match):
    return lambda: client(user).put(path, body, format="json", HTTP_IF_MATCH=if_match)


def post_call(user, path, body, key):
    return lambda: client(user).post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_two_puts_racing_with_the_same_if_match_give_one_200_and_one_412():
    for _ in range(5):
        recepcion = RecepcionistaFactory()
        cita = CitaFactory(motivo="Revisión")
        path = f"/api/v1/citas/{cita.pk}/"
        shown = client(recepcion).get(path)
        tag = shown["ETag"]
        body = {k: shown.json()[k] for k in ("paciente", "veterinario", "inicio", "fin")}

        responses = run_at_once(
            [put_call(recepcion, path, {**body, "motivo": motivo}, tag) for motivo in ("Primera", "Segunda")]
        )

        assert sorted(r.status_code for r in responses) == [200, 412]
        winner = next(r for r in responses if r.status_code == 200)
        assert Cita.objects.get(pk=cita.pk).motivo == winner.json()["motivo"]
        assert client(recepcion).get(path)["ETag"] == winner["ETag"]


def test_six_concurrent_retries_of_one_key_create_exactly_one_object():
    for attempt in range(3):
        recepcion = RecepcionistaFactory()
        body = {"nombre": "Ana", "apellidos": f"Reintento {attempt}", "telefono": "+34600111222"}

        responses = run_at_once([post_call(recepcion, "/api/v1/clientes/", body, f"alta-{attempt}")] * 6)

        statuses = sorted(r.status_code for r in responses)
        assert Cliente.objects.filter(apellidos=f"Reintento {attempt}").count() == 1
        ran = [r for r in responses if r.status_code == 201 and not r.has_header("Idempotent-Replayed")]
        assert len(ran) == 1
        assert set(statuses) <= {201, 409}
        for response in responses:
            if response.status_code == 201:
                assert response.json() == ran[0].json()
            else:
                assert error_code(response) == "idempotency_in_progress"
        assert IdempotencyKey.objects.get(key=f"alta-{attempt}").status_code == 201


def test_a_retry_after_the_race_replays_the_one_answer():
    recepcion = RecepcionistaFactory()
    body = {"nombre": "Luis", "apellidos": "Tras la carrera", "telefono": "+34600111222"}
    retry = post_call(recepcion, "/api/v1/clientes/", body, "despues")

    run_at_once([retry] * 6)
    again = retry()

    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Cliente.objects.filter(apellidos="Tras la carrera").count() == 1
