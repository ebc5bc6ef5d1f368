"""Webhooks: signed deliveries, retries with the same event id, disabling, reenviar, SSRF."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.test import TestCase, override_settings
from django.utils import timezone

from clientes.tests.factories import ClienteFactory
from core import events
from integraciones import deliveries
from integraciones.models import Entrega, EstadoEntrega, Webhook
from tests.errors import error_codes

from .factories import WebhookFactory
from .receiver import Receiver

pytestmark = pytest.mark.django_db
ENTREGA_FIELDS = [
    "id",
    "evento",
    "tipo",
    "intento",
    "estado",
    "codigo_http",
    "error",
    "duracion_ms",
    "proximo_intento",
    "creado_en",
]


def verify(secreto, headers, body):
    """What a receiver does (README, "Verifying a webhook")."""
    parts = dict(item.split("=", 1) for item in headers["X-VetClinic-Signature"].split(","))
    expected = hmac.new(secreto.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def after_commit():
    """Runs what the block queues on commit, as a real commit would (the test never commits)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def publish_cliente():
    cliente = ClienteFactory()
    with after_commit():
        events.publish("cliente.actualizado", instance=cliente)
    return cliente


@override_settings(DEBUG=True)  # loopback receivers are reachable only with DEBUG
def test_a_receiver_on_loopback_verifies_the_signature_of_the_event():
    with Receiver() as receiver:
        webhook = WebhookFactory(url=receiver.url, eventos=["cliente.actualizado"])

        cliente = publish_cliente()

        assert len(receiver.requests) == 1
        headers, body = receiver.requests[0]
        assert verify(webhook.secreto, headers, body)
        assert not verify("otro-secreto", headers, body)
        sent = json.loads(body)
        assert (sent["tipo"], sent["objeto_id"], sent["datos"]["id"]) == ("cliente.actualizado", cliente.pk, cliente.pk)
        assert headers["X-VetClinic-Event"] == "cliente.actualizado"
        assert headers["X-VetClinic-Delivery"] == str(sent["id"])
        entrega = Entrega.objects.get()
        assert (entrega.estado, entrega.intento, entrega.codigo_http) == (EstadoEntrega.ENTREGADA, 1, 200)


@override_settings(DEBUG=True)
def test_a_webhook_gets_only_the_tipos_it_names():
    with Receiver() as receiver:
        WebhookFactory(url=receiver.url, eventos=["cita.creada"])

        publish_cliente()

        assert receiver.requests == []
        assert not Entrega.objects.exists()


@override_settings(DEBUG=True, WEBHOOK_BACKOFF_SEGUNDOS=60)
def test_a_500_is_retried_later_with_the_same_event_id():
    with Receiver(statuses=[500, 200]) as receiver:
        WebhookFactory(url=receiver.url)

        publish_cliente()
        entrega = Entrega.objects.get()
        # the first attempt failed: pendiente, due again in about a minute
        assert (entrega.estado, entrega.intento, entrega.codigo_http) == (EstadoEntrega.PENDIENTE, 1, 500)
        assert timedelta(seconds=50) < entrega.proximo_intento - timezone.now() <= timedelta(seconds=60)
        # not due yet: a duplicate message does nothing
        assert deliveries.entregar(entrega.pk) is None

        deliveries.entregar(entrega.pk, ahora=entrega.proximo_intento)

        entrega.refresh_from_db()
        assert (entrega.estado, entrega.intento, entrega.codigo_http) == (EstadoEntrega.ENTREGADA, 2, 200)
        first, second = (headers for headers, _body in receiver.requests)
        assert first["X-VetClinic-Delivery"] == second["X-VetClinic-Delivery"] == str(entrega.evento_id)
        assert receiver.requests[0][1] == receiver.requests[1][1]


@override_settings(DEBUG=True, WEBHOOK_BACKOFF_SEGUNDOS=60)
def test_the_backoff_doubles_and_the_delivery_fails_after_the_last_retry():
    with override_settings(WEBHOOK_REINTENTOS=2), Receiver(statuses=[503]) as receiver:
        WebhookFactory(url=receiver.url)
        publish_cliente()
        entrega = Entrega.objects.get()
        esperas = []
        while entrega.estado == EstadoEntrega.PENDIENTE:
            antes = timezone.now()
            esperas.append(round((entrega.proximo_intento - antes).total_seconds() / 60))
            deliveries.entregar(entrega.pk, ahora=entrega.proximo_intento)
            entrega.refresh_from_db()

        assert esperas == [1, 2]
        assert (entrega.estado, entrega.intento) == (EstadoEntrega.FALLIDA, 3)
        assert len(receiver.requests) == 3


@override_settings(DEBUG=True)
def test_a_410_disables_the_webhook_at_once():
    with Receiver(statuses=[410]) as receiver:
        webhook = WebhookFactory(url=receiver.url)

        publish_cliente()
        publish_cliente()

        webhook.refresh_from_db()
        assert not webhook.activo
        assert len(receiver.requests) == 1  # the second event found it disabled
        assert Entrega.objects.get().estado == EstadoEntrega.FALLIDA


@override_settings(DEBUG=True, WEBHOOK_FALLOS_MAX=3, WEBHOOK_REINTENTOS=0)
def test_repeated_failed_deliveries_disable_the_webhook():
    with Receiver(statuses=[500]) as receiver:
        webhook = WebhookFactory(url=receiver.url)

        for _ in range(3):
            publish_cliente()

        webhook.refresh_from_db()
        assert (webhook.activo, webhook.fallos_consecutivos) == (False, 3)
        assert len(receiver.requests) == 3


@override_settings(DEBUG=True, WEBHOOK_FALLOS_MAX=2, WEBHOOK_REINTENTOS=8)
def test_failed_attempts_with_retries_left_do_not_count_towards_disabling():
    # given a receiver down while three events wait for their retries
    with Receiver(statuses=[500]) as receiver:
        webhook = WebhookFactory(url=receiver.url)
        for _ in range(3):
            publish_cliente()
        webhook.refresh_from_db()
        assert (webhook.activo, webhook.fallos_consecutivos) == (True, 0)

        # when it answers again, every delivery goes through
        receiver.statuses = [200]
        for entrega in Entrega.objects.all():
            deliveries.entregar(entrega.pk, ahora=entrega.proximo_intento)

    assert set(Entrega.objects.values_list("estado", flat=True)) == {EstadoEntrega.ENTREGADA}
    webhook.refresh_from_db()
    assert (webhook.activo, webhook.fallos_consecutivos) == (True, 0)


@override_settings(DEBUG=True)
def test_reenviar_delivers_again(api_client):
    with Receiver() as receiver:
        webhook = WebhookFactory(url=receiver.url)
        publish_cliente()
        entrega = Entrega.objects.get()
        assert entrega.estado == EstadoEntrega.ENTREGADA

        with after_commit():
            response = api_client("admin").post(f"/api/v1/webhooks/{webhook.pk}/entregas/{entrega.pk}/reenviar/")

        assert response.status_code == 202
        assert response.json()["estado"] == "pendiente"  # queued; sent after the commit
        entrega.refresh_from_db()
        assert (entrega.estado, entrega.intento) == (EstadoEntrega.ENTREGADA, 1)
        assert len(receiver.requests) == 2
        assert receiver.requests[1][0]["X-VetClinic-Delivery"] == str(entrega.evento_id)


@override_settings(DEBUG=True)
def test_the_delivery_log_lists_the_attempts(api_client):
    with Receiver(statuses=[500]) as receiver:
        webhook = WebhookFactory(url=receiver.url)
        publish_cliente()

    response = api_client("admin").get(f"/api/v1/webhooks/{webhook.pk}/entregas/")

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["estado"] == "pendiente" and row["intento"] == 1 and row["codigo_http"] == 500
    assert set(row) == set(ENTREGA_FIELDS)


@override_settings(DEBUG=True)
def test_probar_sends_a_signed_ping(api_client):
    with Receiver() as receiver:
        webhook = WebhookFactory(url=receiver.url)

        with after_commit():
            response = api_client("admin").post(f"/api/v1/webhooks/{webhook.pk}/probar/")

        assert response.status_code == 202
        headers, body = receiver.requests[0]
        assert headers["X-VetClinic-Event"] == "ping"
        assert verify(webhook.secreto, headers, body)


def test_the_secret_is_shown_on_create_and_rotation_only(api_client):
    api = api_client("admin")

    created = api.post("/api/v1/webhooks/", {"url": "https://93.184.215.14/hook", "eventos": ["*"]})
    assert created.status_code == 201, created.json()
    secreto = created.json()["secreto"]
    assert len(secreto) >= 32
    shown = api.get(f"/api/v1/webhooks/{created.json()['id']}/")
    assert "secreto" not in shown.json()

    rotated = api.post(f"/api/v1/webhooks/{created.json()['id']}/rotar-secreto/")

    assert rotated.status_code == 200
    assert rotated.json()["secreto"] != secreto
    assert Webhook.objects.get().secreto == rotated.json()["secreto"]


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.5/",
        "http://93.184.215.14/",
        "https://hooks.example.com:99999/vet",
    ],
)
def test_a_webhook_to_a_private_address_or_over_http_is_refused(api_client, url):
    response = api_client("admin").post("/api/v1/webhooks/", {"url": url, "eventos": ["*"]})

    assert response.status_code == 400
    assert error_codes(response) == {"url": ["url_no_permitida"]}
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("url", ["https://127.0.0.1:9/hook", "https://169.254.169.254/latest/meta-data"])
def test_a_delivery_to_a_private_address_is_refused_at_delivery_time(url, monkeypatch):
    # given a webhook stored with such an address (written before the check, or a name that
    # now resolves there), and DEBUG off
    webhook = WebhookFactory(url=url)
    connections = []
    monkeypatch.setattr(deliveries, "enviar", lambda *args, **kwargs: connections.append(args) or 200)

    publish_cliente()

    # then no connection is made and the attempt is a failure
    entrega = Entrega.objects.get(webhook=webhook)
    assert connections == []
    assert entrega.codigo_http is None
    assert "no es pública" in entrega.error


def test_a_host_name_is_checked_by_the_addresses_it_resolves_to(monkeypatch):
    monkeypatch.setattr(deliveries.socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("169.254.169.254", 443))])

    with pytest.raises(deliveries.DireccionNoPermitida):
        deliveries.resolver("https://metadata.example.com/")


@pytest.mark.parametrize("rol", ["veterinario", "recepcionista", "cliente"])
def test_webhooks_are_for_admins_only(api_client, rol):
    response = api_client(rol).get("/api/v1/webhooks/")

    assert response.status_code == 403
