"""Idempotency-Key (contract: "Concurrency and retries"): a POST repeated with the same key is
answered once; the same key with another body is 422; a repeat while the first runs is 409;
keys are per caller, validated, and expire after 24 hours."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

import clientes.services
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from api.idempotency import Claim, claim, complete
from api.models import IdempotencyKey
from api.tests.factories import IdempotencyKeyFactory
from api.tests.utils import error_code
from citas.models import Cita, EstadoCita
from citas.tests.factories import CitaFactory
from clientes.models import Cliente

pytestmark = pytest.mark.django_db

NUEVO_CLIENTE = {"nombre": "Ana", "apellidos": "Gil", "telefono": "+34600111222"}


def post(api, path, body, key, **extra):
    return api.post(path, body, HTTP_IDEMPOTENCY_KEY=key, **extra)


def test_a_repeated_post_is_answered_again_and_creates_one_object(api_client):
    api = api_client("recepcionista")

    first = post(api, "/api/v1/clientes/", NUEVO_CLIENTE, "alta-ana-1")
    again = post(api, "/api/v1/clientes/", NUEVO_CLIENTE, "alta-ana-1")

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Cliente.objects.filter(nombre="Ana", apellidos="Gil").count() == 1


def test_the_same_body_with_other_key_order_or_spacing_is_the_same_request(api_client):
    api = api_client("recepcionista")

    post(api, "/api/v1/clientes/", NUEVO_CLIENTE, "orden")
    again = api.generic(
        "POST",
        "/api/v1/clientes/",
        '{ "telefono": "+34600111222",  "apellidos": "Gil", "nombre": "Ana" }',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="orden",
    )

    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Cliente.objects.filter(nombre="Ana").count() == 1


def test_the_same_key_with_another_body_is_422_and_writes_nothing(api_client):
    api = api_client("recepcionista")
    post(api, "/api/v1/clientes/", NUEVO_CLIENTE, "reusada")

    response = post(api, "/api/v1/clientes/", {**NUEVO_CLIENTE, "nombre": "Berta"}, "reusada")

    assert response.status_code == 422
    assert error_code(response) == "idempotency_key_reused"
    assert not Cliente.objects.filter(nombre="Berta").exists()


def test_the_same_key_on_another_path_is_422(api_client):
    api = api_client("recepcionista")
    cita = CitaFactory()
    post(api, f"/api/v1/citas/{cita.pk}/confirmar/", {}, "una-clave")

    response = post(api, f"/api/v1/citas/{cita.pk}/cancelar/", {}, "una-clave")

    assert response.status_code == 422
    assert Cita.objects.get(pk=cita.pk).estado == EstadoCita.CONFIRMADA


def test_a_repeat_while_the_first_still_runs_is_409_and_writes_nothing(api_client):
    api = api_client("recepcionista")
    post(api, "/api/v1/clientes/", NUEVO_CLIENTE, "en-curso")
    # Given the first request's claim as it is while that request runs: no answer yet.
    IdempotencyKey.objects.filter(key="en-curso").update(status_code=None, completed_at=None)

    response = post(api, "/api/v1/clientes/", NUEVO_CLIENTE, "en-curso")

    assert response.status_code == 409
    assert error_code(response) == "idempotency_in_progress"
    assert Cliente.objects.filter(nombre="Ana").count() == 1


def test_a_claim_left_behind_by_a_dead_request_is_taken_over_after_the_lease(api_client, settings):
    api = api_client("recepcionista")
    post(api, "/api/v1/clientes/", NUEVO_CLIENTE, "huerfana")
    Cliente.objects.filter(nombre="Ana").delete()  # the dead request's write was rolled back
    long_ago = timezone.now() - settings.IDEMPOTENCY_LEASE - datetime.timedelta(seconds=1)
    IdempotencyKey.objects.filter(key="huerfana").update(status_code=None, completed_at=None, locked_at=long_ago)

    response = post(api, "/api/v1/clientes/", NUEVO_CLIENTE, "huerfana")

    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert Cliente.objects.filter(nombre="Ana").count() == 1
    assert IdempotencyKey.objects.get(key="huerfana").status_code == 201


def test_a_request_whose_claim_was_taken_over_cannot_record_its_answer():
    taken = Claim(IdempotencyKeyFactory())
    IdempotencyKey.objects.filter(pk=taken.record.pk).update(token="00000000-0000-0000-0000-000000000001")

    assert complete(taken, HttpResponse(b"{}", status=201)) is False
    assert IdempotencyKey.objects.get(pk=taken.record.pk).status_code is None


def test_the_same_key_from_two_users_is_two_requests(client_for):
    first, second = client_for(UserFactory(rol="recepcionista")), client_for(UserFactory(rol="recepcionista"))

    one = post(first, "/api/v1/clientes/", NUEVO_CLIENTE, "compartida")
    two = post(second, "/api/v1/clientes/", NUEVO_CLIENTE, "compartida")

    assert one.status_code == two.status_code == 201
    assert not two.has_header("Idempotent-Replayed")
    assert one.json()["id"] != two.json()["id"]
    assert Cliente.objects.filter(nombre="Ana").count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\tulada", "con\x07campana", "clave-ñ"])
def test_an_invalid_key_is_400_and_writes_nothing(api_client, key):
    api = api_client("recepcionista")

    response = post(api, "/api/v1/clientes/", NUEVO_CLIENTE, key)

    assert response.status_code == 400
    assert error_code(response) == "idempotency_key_invalid"
    assert not Cliente.objects.exists()
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["a", "x" * 255, "pedido 42: reintento #3 ~ {ok}"])
def test_keys_of_1_to_255_printable_characters_are_accepted(api_client, key):
    response = post(api_client("recepcionista"), "/api/v1/clientes/", NUEVO_CLIENTE, key)

    assert response.status_code == 201
    assert IdempotencyKey.objects.get().key == key


def test_a_client_error_is_kept_as_the_answer(api_client):
    api = api_client("recepcionista")

    first = post(api, "/api/v1/clientes/", {"nombre": "Sin apellidos"}, "incompleta")
    again = post(api, "/api/v1/clientes/", {"nombre": "Sin apellidos"}, "incompleta")

    assert first.status_code == again.status_code == 400
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"


def test_a_server_error_releases_the_key_so_the_retry_runs(api_client, monkeypatch):
    api = api_client("recepcionista")
    api.raise_request_exception = False
    original = clientes.services.cliente_create

    def failing(**kwargs):
        original(**kwargs)
        raise RuntimeError("el servidor cayó tras escribir")

    monkeypatch.setattr(clientes.services, "cliente_create", failing)
    failed = post(api, "/api/v1/clientes/", NUEVO_CLIENTE, "reintentable")
    monkeypatch.setattr(clientes.services, "cliente_create", original)
    retried = post(api, "/api/v1/clientes/", NUEVO_CLIENTE, "reintentable")

    assert failed.status_code == 500
    assert retried.status_code == 201
    assert not retried.has_header("Idempotent-Replayed")
    assert Cliente.objects.filter(nombre="Ana").count() == 1  # the failed attempt's write was rolled back


def test_a_replayed_state_action_does_not_run_again(api_client):
    api = api_client("recepcionista")
    cita = CitaFactory()
    path = f"/api/v1/citas/{cita.pk}/cancelar/"

    first = post(api, path, {"motivo": "Viaje"}, "cancelar-1")
    again = post(api, path, {"motivo": "Viaje"}, "cancelar-1")  # run again, it would be a 409

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Cita.history.filter(id=cita.pk, estado=EstadoCita.CANCELADA).count() == 1


def test_an_expired_key_is_forgotten_and_the_request_runs_again(api_client):
    api = api_client("recepcionista")
    post(api, "/api/v1/clientes/", NUEVO_CLIENTE, "ayer")
    IdempotencyKey.objects.filter(key="ayer").update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = post(api, "/api/v1/clientes/", NUEVO_CLIENTE, "ayer")

    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert Cliente.objects.filter(nombre="Ana").count() == 2
    assert IdempotencyKey.objects.get(key="ayer").expires_at > timezone.now()


def test_keys_are_kept_for_24_hours(api_client):
    before = timezone.now()

    post(api_client("recepcionista"), "/api/v1/clientes/", NUEVO_CLIENTE, "un-dia")

    stored = IdempotencyKey.objects.get(key="un-dia")
    assert before + datetime.timedelta(hours=24) <= stored.expires_at <= timezone.now() + datetime.timedelta(hours=24)


def test_the_purge_command_deletes_the_expired_keys_only():
    IdempotencyKeyFactory(key="caducada", expires_at=timezone.now() - datetime.timedelta(minutes=1))
    IdempotencyKeyFactory(key="vigente")
    out = io.StringIO()

    call_command("purgar_idempotencia", stdout=out)

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["vigente"]
    assert out.getvalue().strip() == "1 claves caducadas borradas"


def test_a_post_without_a_key_stores_nothing(api_client):
    post_response = api_client("recepcionista").post("/api/v1/clientes/", NUEVO_CLIENTE)

    assert post_response.status_code == 201
    assert not IdempotencyKey.objects.exists()


def test_a_post_where_no_post_is_allowed_claims_no_key(api_client):
    cita = CitaFactory()

    response = post(api_client("admin"), f"/api/v1/citas/{cita.pk}/", {}, "sin-post")

    assert response.status_code in (403, 405)  # the role table refuses an unmapped method first
    assert not IdempotencyKey.objects.exists()


def test_a_refused_request_claims_no_key(anon_client):
    response = post(anon_client, "/api/v1/clientes/", NUEVO_CLIENTE, "sin-login")

    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_the_password_change_takes_part(client_for):
    api = client_for(UserFactory(rol="recepcionista"))
    body = {"password_actual": "no-es-la-actual", "password_nueva": "Otra-Clave-Segura-987"}

    first = post(api, "/api/v1/auth/password/", body, "cambio-1")
    again = post(api, "/api/v1/auth/password/", body, "cambio-1")

    assert first.status_code == again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.get(key="cambio-1").status_code == 400


def test_the_token_endpoints_do_not_store_credentials(db):
    UserFactory(email="ana@clinica.test")
    api = APIClient()

    response = post(api, "/api/v1/auth/token/", {"email": "ana@clinica.test", "password": DEFAULT_PASSWORD}, "x")

    assert response.status_code == 200
    assert not response.has_header("Idempotent-Replayed")
    assert not IdempotencyKey.objects.exists()


def test_claims_are_scoped_per_caller_anonymous_ones_included():
    record = claim(caller="anon", key="k", fingerprint="f" * 64, method="POST", path="/api/v1/x/")
    other = claim(caller="user:1", key="k", fingerprint="f" * 64, method="POST", path="/api/v1/x/")

    assert isinstance(record, Claim) and isinstance(other, Claim)
    assert IdempotencyKey.objects.filter(key="k").count() == 2


def test_the_stored_answers_are_readable_in_the_admin(admin_client, api_client):
    post(api_client("recepcionista"), "/api/v1/clientes/", NUEVO_CLIENTE, "en-el-admin")
    stored = IdempotencyKey.objects.get(key="en-el-admin")

    listing = admin_client.get(reverse("admin:api_idempotencykey_changelist"))
    page = admin_client.get(reverse("admin:api_idempotencykey_change", args=[stored.pk]))
    add = admin_client.get(reverse("admin:api_idempotencykey_add"))

    assert listing.status_code == 200 and b"en-el-admin" in listing.content
    assert page.status_code == 200 and b"Ana" in page.content
    assert add.status_code == 403
