"""The channels a reminder can go by, and the backend of each, chosen by URL scheme.

`SMS_URL` / `WHATSAPP_URL` (settings), in the style of `EMAIL_URL`:

- `console://`: printed on stdout (development);
- `webhook+https://host/path`: a JSON POST `{"to", "body", "reference"}` answered with `{"id"}`,
  behind which any gateway can sit (`webhook+http://` too, for a gateway on loopback);
- `twilio://SID:TOKEN@FROM`: Twilio's Messages API (WhatsApp with `whatsapp:` prefixes);
- unset: the channel is off.

Email goes through Django's email backend (`EMAIL_URL`). A backend's `send(to=, body=,
reference=)` returns the provider's id of the message, or raises EnvioFallido.
"""

import base64
import hashlib
import hmac
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass

from django.conf import settings

from clientes.models import CanalPreferido

# Fallback order after the preferred channel (API.md, "Reminder channels").
ORDEN_CANALES = (CanalPreferido.EMAIL, CanalPreferido.SMS, CanalPreferido.WHATSAPP)
TELEFONICOS = frozenset({CanalPreferido.SMS, CanalPreferido.WHATSAPP})


class EnvioFallido(Exception):
    """The backend did not take the message; the message says why (no personal data)."""


class ConsoleBackend:
    def __init__(self, canal):
        self.canal = canal

    def send(self, *, to, body, reference):
        sys.stdout.write(f"[{self.canal}] {to} ({reference}):\n{body}\n")
        return f"console-{uuid.uuid4().hex}"


def _post(url, *, data: bytes, headers: dict) -> dict:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.MENSAJE_TIMEOUT) as response:
            answer = response.read()
    except urllib.error.HTTPError as exc:
        raise EnvioFallido(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise EnvioFallido(type(getattr(exc, "reason", exc)).__name__) from exc
    try:
        return json.loads(answer or b"{}")
    except ValueError as exc:
        raise EnvioFallido("respuesta no JSON") from exc


class WebhookBackend:
    """A generic gateway: POST {"to", "body", "reference"} as JSON, answer {"id"}."""

    def __init__(self, url):
        self.url = url

    def send(self, *, to, body, reference):
        payload = json.dumps({"to": to, "body": body, "reference": reference}).encode()
        answer = _post(self.url, data=payload, headers={"Content-Type": "application/json"})
        if not isinstance(answer, dict) or not answer.get("id"):
            raise EnvioFallido("respuesta sin id")
        return str(answer["id"])


class TwilioBackend:
    """Twilio's Messages API: a form POST with basic auth; WhatsApp numbers carry `whatsapp:`."""

    def __init__(self, *, sid, token, remitente, whatsapp=False):
        self.sid, self.token, self.remitente, self.whatsapp = sid, token, remitente, whatsapp

    def _numero(self, numero):
        return f"whatsapp:{numero}" if self.whatsapp and not numero.startswith("whatsapp:") else numero

    def send(self, *, to, body, reference):
        url = f"{settings.TWILIO_API_URL.rstrip('/')}/2010-04-01/Accounts/{self.sid}/Messages.json"
        form = urllib.parse.urlencode({"To": self._numero(to), "From": self._numero(self.remitente), "Body": body})
        credentials = base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        answer = _post(
            url,
            data=form.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {credentials}"},
        )
        if not isinstance(answer, dict) or not answer.get("sid"):
            raise EnvioFallido("respuesta sin sid")
        return str(answer["sid"])


def backend_from_url(url, *, canal):
    """The backend `url` names, or None for an empty one (the channel is off)."""
    if not url:
        return None
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "console":
        return ConsoleBackend(canal)
    if parsed.scheme in ("webhook+https", "webhook+http"):
        return WebhookBackend(url.removeprefix("webhook+"))
    if parsed.scheme == "twilio":
        return TwilioBackend(
            sid=urllib.parse.unquote(parsed.username or ""),
            token=urllib.parse.unquote(parsed.password or ""),
            remitente=urllib.parse.unquote(parsed.netloc.rpartition("@")[2]),
            whatsapp=canal == CanalPreferido.WHATSAPP,
        )
    raise ValueError(f"{canal}: esquema de URL desconocido «{parsed.scheme}»")


def backend(canal):
    """The configured backend of an SMS or WhatsApp channel (None: off)."""
    url = {CanalPreferido.SMS: settings.SMS_URL, CanalPreferido.WHATSAPP: settings.WHATSAPP_URL}[canal]
    return backend_from_url(url, canal=canal)


def canales_activos() -> frozenset:
    """Email always (Django's backend); SMS and WhatsApp when their URL is set."""
    activos = {CanalPreferido.EMAIL}
    if settings.SMS_URL:
        activos.add(CanalPreferido.SMS)
    if settings.WHATSAPP_URL:
        activos.add(CanalPreferido.WHATSAPP)
    return frozenset(activos)


@dataclass(frozen=True)
class Destino:
    canal: str
    destinatario: str


def direccion(cliente, canal, *, email_utilizable) -> str:
    """The owner's address on `canal` if they consented to it and have one, else ''."""
    if canal == CanalPreferido.EMAIL:
        return cliente.email if cliente.acepta_email and email_utilizable(cliente.email) else ""
    consiente = cliente.acepta_sms if canal == CanalPreferido.SMS else cliente.acepta_whatsapp
    return cliente.movil if consiente and cliente.movil else ""


def elegir_canal(cliente, *, activos=None, email_utilizable=bool) -> Destino | None:
    """The channel a reminder reaches `cliente` by: `canal_preferido` if they consented to it and
    have its address (`movil` for SMS/WhatsApp, `email`), else the first such channel in the
    order email, sms, whatsapp; only channels that are on (`activos`). None: no channel."""
    activos = canales_activos() if activos is None else activos
    orden = [cliente.canal_preferido, *(c for c in ORDEN_CANALES if c != cliente.canal_preferido)]
    for canal in orden:
        if canal not in activos:
            continue
        destino = direccion(cliente, canal, email_utilizable=email_utilizable)
        if destino:
            return Destino(canal=canal, destinatario=destino)
    return None


# --- the providers' signed status callbacks -----------------------------------------------------

FIRMA_TOLERANCIA = 300  # seconds: an older timestamp is refused (a replayed callback)


def firma(secreto: str, timestamp: int, body: bytes) -> str:
    """hex HMAC-SHA256(secreto, "<timestamp>.<body>"), the `v1` of X-VetClinic-Signature."""
    return hmac.new(secreto.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def firma_valida(cabecera, body: bytes, *, secreto, ahora: float) -> bool:
    """True when `cabecera` is `t=<unix>,v1=<hex>` with a `v1` of this body and secret, and `t`
    at most FIRMA_TOLERANCIA seconds away from `ahora`. No secret configured: never valid."""
    if not secreto or not cabecera:
        return False
    partes = dict(parte.strip().split("=", 1) for parte in cabecera.split(",") if "=" in parte)
    try:
        timestamp = int(partes.get("t", ""))
        if abs(ahora - timestamp) > FIRMA_TOLERANCIA:
            return False
    except (ValueError, OverflowError):  # not a number, or one too large to compare with `ahora`
        return False
    # Compared as bytes: compare_digest refuses a str with non-ASCII characters (a TypeError),
    # and a header is whatever the caller sent.
    recibida = partes.get("v1", "").encode("utf-8", "surrogateescape")
    return hmac.compare_digest(firma(secreto, timestamp, body).encode(), recibida)
