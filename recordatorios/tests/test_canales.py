"""Which channel reaches an owner, and the backends that carry a message there: the webhook and
Twilio ones against a real HTTP server on loopback."""

import base64
import urllib.parse

import pytest

from clientes.tests.factories import ClienteFactory
from recordatorios.canales import (
    ConsoleBackend,
    EnvioFallido,
    TwilioBackend,
    WebhookBackend,
    backend_from_url,
    elegir_canal,
)
from recordatorios.services import email_utilizable
from recordatorios.tests.gateway import pasarela  # noqa: F401 (fixture)

TODOS = frozenset({"email", "sms", "whatsapp"})


def dueno(**campos):
    valores = {
        "email": "marta@correo.test",
        "movil": "+34600111222",
        "acepta_email": True,
        "acepta_sms": True,
        "acepta_whatsapp": True,
        "canal_preferido": "email",
    }
    return ClienteFactory.build(**{**valores, **campos})


# --- channel choice ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("campos", "esperado"),
    [
        # preference honoured when consented and with an address
        ({"canal_preferido": "sms"}, ("sms", "+34600111222")),
        ({"canal_preferido": "whatsapp"}, ("whatsapp", "+34600111222")),
        ({"canal_preferido": "email"}, ("email", "marta@correo.test")),
        # no consent for the preferred one: the next consented one, in the order email, sms, whatsapp
        ({"canal_preferido": "whatsapp", "acepta_whatsapp": False}, ("email", "marta@correo.test")),
        ({"canal_preferido": "email", "acepta_email": False}, ("sms", "+34600111222")),
        ({"canal_preferido": "email", "acepta_email": False, "acepta_sms": False}, ("whatsapp", "+34600111222")),
        # preferred address missing: fallback
        ({"canal_preferido": "sms", "movil": ""}, ("email", "marta@correo.test")),
        ({"canal_preferido": "email", "email": ""}, ("sms", "+34600111222")),
        ({"canal_preferido": "email", "email": "no es un email"}, ("sms", "+34600111222")),
        # none
        ({"acepta_email": False, "acepta_sms": False, "acepta_whatsapp": False}, None),
        ({"email": "", "movil": ""}, None),
        ({"email": "", "acepta_sms": False, "acepta_whatsapp": False}, None),
    ],
)
def test_channel_choice(campos, esperado):
    destino = elegir_canal(dueno(**campos), activos=TODOS, email_utilizable=email_utilizable)

    assert (destino and (destino.canal, destino.destinatario)) == esperado


def test_a_channel_that_is_off_is_skipped_for_the_next_consented_one():
    destino = elegir_canal(
        dueno(canal_preferido="sms", email=""), activos=frozenset({"email", "whatsapp"}), email_utilizable=bool
    )

    assert (destino.canal, destino.destinatario) == ("whatsapp", "+34600111222")


def test_without_consent_a_message_never_goes_by_a_channel_even_if_it_is_the_only_one_on():
    destino = elegir_canal(
        dueno(canal_preferido="sms", acepta_sms=False, email=""), activos=frozenset({"sms"}), email_utilizable=bool
    )

    assert destino is None


# --- backends by URL -----------------------------------------------------------------------------


def test_backends_are_chosen_by_url_scheme():
    assert backend_from_url("", canal="sms") is None
    assert isinstance(backend_from_url("console://", canal="sms"), ConsoleBackend)
    webhook = backend_from_url("webhook+https://gw.example/enviar", canal="sms")
    assert isinstance(webhook, WebhookBackend) and webhook.url == "https://gw.example/enviar"
    twilio = backend_from_url("twilio://AC123:secreto@%2B34910000000", canal="whatsapp")
    assert isinstance(twilio, TwilioBackend)
    assert (twilio.sid, twilio.token, twilio.remitente, twilio.whatsapp) == ("AC123", "secreto", "+34910000000", True)
    with pytest.raises(ValueError):
        backend_from_url("smpp://x", canal="sms")


def test_the_console_backend_prints_the_message(capsys):
    proveedor_id = ConsoleBackend("sms").send(to="+34600111222", body="Hola", reference="m-1")

    assert proveedor_id.startswith("console-")
    assert "+34600111222" in capsys.readouterr().out


def test_the_webhook_backend_posts_json_and_returns_the_gateways_id(pasarela):  # noqa: F811
    backend = backend_from_url(f"webhook+{pasarela.url}/enviar", canal="sms")

    proveedor_id = backend.send(to="+34600111222", body="Vacuna de Nube", reference="mensaje-7")

    assert proveedor_id == "gw-1"
    assert pasarela.recibidos[0][0] == "/enviar"
    assert pasarela.json() == [{"to": "+34600111222", "body": "Vacuna de Nube", "reference": "mensaje-7"}]


def test_a_gateway_answering_500_is_a_failed_send(pasarela):  # noqa: F811
    pasarela.respuestas = [500]

    with pytest.raises(EnvioFallido, match="HTTP 500"):
        WebhookBackend(f"{pasarela.url}/enviar").send(to="+34600111222", body="x", reference="1")


def test_an_unreachable_gateway_is_a_failed_send():
    with pytest.raises(EnvioFallido):
        WebhookBackend("http://127.0.0.1:9/nada").send(to="+34600111222", body="x", reference="1")


def test_twilio_whatsapp_posts_the_form_with_basic_auth_and_prefixes(pasarela, settings):  # noqa: F811
    settings.TWILIO_API_URL = pasarela.url
    backend = backend_from_url("twilio://AC123:secreto@%2B34910000000", canal="whatsapp")

    proveedor_id = backend.send(to="+34600111222", body="Hola", reference="1")

    assert proveedor_id == "SM1"
    path, headers, body = pasarela.recibidos[0]
    assert path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"AC123:secreto").decode()
    assert urllib.parse.parse_qs(body.decode()) == {
        "To": ["whatsapp:+34600111222"],
        "From": ["whatsapp:+34910000000"],
        "Body": ["Hola"],
    }
