"""Webhook deliveries: which are due, signing, the outgoing request and what its answer means.

A delivery (`Entrega`) is written in the transaction of its event (`programar`), so it exists
exactly when the event does; its message is queued after the commit. `entregar` is idempotent:
it locks the row, does nothing unless it is still pendiente and due, and records the attempt in
the same transaction as the request, so a worker killed mid-request leaves it pendiente and
unchanged (PostgreSQL rolls back the dead connection's transaction): the broker hands the
message to another worker (acks late), and `barrer` queues whatever is due in any case.

Outgoing requests (SSRF): the URL's host is resolved at delivery time and every address it
resolves to must be public (not private, loopback, link-local, reserved, multicast…) unless
`DEBUG`; the connection then goes to the checked address (no second lookup a DNS rebinding
could answer differently), with TLS checked against the URL's host name, a timeout, and no
redirect followed (a 3xx is a failed attempt).
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PING, Entrega, EstadoEntrega, Webhook

logger = logging.getLogger(__name__)

USER_AGENT = "VetClinic-Webhooks/1.1"
MAX_ERROR = 500


class DireccionNoPermitida(Exception):
    """The URL leads to an address webhooks may not reach (or to none)."""


# --- scheduling ----------------------------------------------------------------------------


def encolar(entrega_ids) -> None:
    """Queues the deliveries after the current transaction commits (eagerly in the web process
    without a broker). `robust`: a broker that is down must not fail the change; the sweep
    queues them later."""
    from .tasks import entregar

    for entrega_id in entrega_ids:
        transaction.on_commit(lambda entrega_id=entrega_id: entregar.delay(entrega_id), robust=True)


def programar(evento) -> list[Entrega]:
    """Writes a pendiente delivery of `evento` for every active webhook that takes it."""
    return programar_varios([evento])


def programar_varios(eventos) -> list[Entrega]:
    ahora = timezone.now()
    webhooks = list(Webhook.objects.filter(activo=True))
    entregas = [
        Entrega(webhook=webhook, evento=evento, tipo=evento.tipo, proximo_intento=ahora)
        for evento in eventos
        for webhook in webhooks
        if webhook.recibe(evento)
    ]
    if entregas:
        Entrega.objects.bulk_create(entregas)
        encolar([entrega.pk for entrega in entregas])
    return entregas


def barrer(*, ahora=None) -> int:
    """Queues every pendiente delivery that is due (retries whose message was lost, deliveries a
    dead worker left behind); run by beat every WEBHOOK_BARRIDO_SEGUNDOS. Returns how many."""
    ahora = ahora or timezone.now()
    ids = list(
        Entrega.objects.filter(estado=EstadoEntrega.PENDIENTE, proximo_intento__lte=ahora, webhook__activo=True)
        .order_by("proximo_intento")
        .values_list("pk", flat=True)[:1000]
    )
    from .tasks import entregar

    for entrega_id in ids:
        entregar.delay(entrega_id)
    return len(ids)


def backoff(intento) -> timedelta:
    """The wait after failed attempt number `intento` (1, 2, …): about a minute, doubling."""
    return timedelta(seconds=settings.WEBHOOK_BACKOFF_SEGUNDOS * 2 ** (intento - 1))


# --- signing and the body ------------------------------------------------------------------


def firma(secreto: str, t: int, cuerpo: bytes) -> str:
    """hex HMAC-SHA256(secreto, "<t>.<body>")."""
    return hmac.new(secreto.encode(), f"{t}.".encode() + cuerpo, hashlib.sha256).hexdigest()


def cabecera_firma(secreto: str, cuerpo: bytes, *, t=None) -> str:
    t = int(time.time()) if t is None else t
    return f"t={t},v1={firma(secreto, t, cuerpo)}"


def cuerpo_de(entrega) -> bytes:
    """The event as the feed shows it (the same bytes on every attempt); a ping's own body."""
    from .serializers import EventoSerializer

    if entrega.evento_id is None:
        datos = {"id": None, "tipo": PING, "creado_en": entrega.creado_en.isoformat(), "sede": None}
        datos.update({"objeto_id": entrega.webhook_id, "datos": {"webhook": entrega.webhook_id}})
    else:
        datos = EventoSerializer(entrega.evento).data
    return json.dumps(datos, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def id_de_entrega(entrega) -> str:
    """`X-VetClinic-Delivery`: the event's id (the same on every attempt); a ping's own."""
    return str(entrega.evento_id) if entrega.evento_id is not None else f"ping-{entrega.pk}"


# --- addresses -----------------------------------------------------------------------------


def direccion_publica(ip) -> bool:
    ip = ipaddress.ip_address(ip)
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback)


def es_loopback(host) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _comprobar_esquema(parts):
    host = parts.hostname
    try:
        parts.port  # noqa: B018 -- raises ValueError for a port out of range (over 65535)
    except ValueError:
        host = None
    if not host or parts.scheme not in ("http", "https"):
        raise DireccionNoPermitida(_("URL no válida."))
    if parts.scheme == "http" and not (settings.DEBUG and es_loopback(host)):
        raise DireccionNoPermitida(_("Solo se admite https (http solo a loopback con DEBUG)."))


def _comprobar_direcciones(addresses):
    if settings.DEBUG:
        return
    for address in addresses:
        if not direccion_publica(address):
            raise DireccionNoPermitida(
                _("La dirección %(ip)s no es pública: los webhooks no pueden llegar a ella.") % {"ip": address}
            )


def _direcciones(host, port):
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return list(dict.fromkeys(info[4][0] for info in infos))


def resolver(url) -> str:
    """The address to connect to for `url`, after checking every address its host resolves to
    (see the module); raises DireccionNoPermitida."""
    parts = urlsplit(url)
    _comprobar_esquema(parts)
    addresses = _direcciones(parts.hostname, parts.port or 443)
    if not addresses:
        raise DireccionNoPermitida(_("No se puede resolver «%(host)s».") % {"host": parts.hostname})
    _comprobar_direcciones(addresses)
    return addresses[0]


def comprobar_url(url) -> None:
    """The check of a webhook's URL when it is written: its scheme, and every address its host
    resolves to now (a literal address included); a host that does not resolve yet is accepted,
    and checked again at every delivery."""
    parts = urlsplit(url)
    _comprobar_esquema(parts)
    _comprobar_direcciones(_direcciones(parts.hostname, parts.port or 443))


def enviar(url, ip, cuerpo: bytes, cabeceras: dict, *, timeout: float):
    """POSTs `cuerpo` to `url` connecting to `ip`; returns the status code."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {**cabeceras, "Host": parts.netloc.rpartition("@")[2]}
    options = {"timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False, "maxsize": 1}
    if https:
        pool = urllib3.HTTPSConnectionPool(
            ip,
            port,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED",
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(ip, port, **options)
    try:
        response = pool.urlopen("POST", path, body=cuerpo, headers=headers, redirect=False, preload_content=False)
        response.read(64 * 1024)  # bounded: the answer's body is not used
        response.release_conn()
        return response.status
    finally:
        pool.close()


# --- one attempt ---------------------------------------------------------------------------


def _bloquear_pendiente(entrega_id):
    queryset = Entrega.objects.select_related("webhook", "evento").filter(pk=entrega_id, estado=EstadoEntrega.PENDIENTE)
    # Another worker on the same delivery (a duplicate message) skips it instead of waiting.
    return queryset.select_for_update(skip_locked=True, of=("self",)).first()


@transaction.atomic
def entregar(entrega_id, *, ahora=None):
    """Makes one attempt at delivery `entrega_id` if it is pendiente and due; returns the
    delivery (None when there was nothing to do). See the module for the guarantees."""
    entrega = _bloquear_pendiente(entrega_id)
    ahora = ahora or timezone.now()
    if entrega is None or (entrega.proximo_intento and entrega.proximo_intento > ahora + timedelta(seconds=1)):
        return None
    webhook = entrega.webhook
    if not webhook.activo:
        entrega.estado, entrega.error, entrega.proximo_intento = EstadoEntrega.FALLIDA, _("Webhook inactivo."), None
        entrega.save(update_fields=["estado", "error", "proximo_intento", "actualizado_en"])
        return entrega
    cuerpo = cuerpo_de(entrega)
    cabeceras = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-VetClinic-Event": entrega.tipo,
        "X-VetClinic-Delivery": id_de_entrega(entrega),
        "X-VetClinic-Signature": cabecera_firma(webhook.secreto, cuerpo),
    }
    entrega.intento += 1
    inicio = time.monotonic()
    codigo, error = None, ""
    try:
        ip = resolver(webhook.url)
        codigo = enviar(webhook.url, ip, cuerpo, cabeceras, timeout=settings.WEBHOOK_TIMEOUT_SEGUNDOS)
        if not 200 <= codigo < 300:
            error = _("Respuesta HTTP %(codigo)s.") % {"codigo": codigo}
    except DireccionNoPermitida as exc:
        error = str(exc)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    entrega.duracion_ms = int((time.monotonic() - inicio) * 1000)
    entrega.codigo_http, entrega.error = codigo, error[:MAX_ERROR]
    _registrar_resultado(entrega, webhook, ahora=timezone.now())
    return entrega


def _registrar_resultado(entrega, webhook, *, ahora):
    if entrega.codigo_http is not None and 200 <= entrega.codigo_http < 300:
        entrega.estado, entrega.proximo_intento = EstadoEntrega.ENTREGADA, None
        Webhook.objects.filter(pk=webhook.pk).update(fallos_consecutivos=0)
    else:
        # A failed attempt is retried; the webhook counts a failure once its delivery has no
        # retry left (WEBHOOK_FALLOS_MAX failed deliveries in a row disable it; a 410, at once).
        webhook.refresh_from_db(fields=["activo"])
        if entrega.codigo_http == 410 or entrega.intento > settings.WEBHOOK_REINTENTOS or not webhook.activo:
            entrega.estado, entrega.proximo_intento = EstadoEntrega.FALLIDA, None
        else:
            entrega.proximo_intento = ahora + backoff(entrega.intento)
            _reintentar_en(entrega)
        if entrega.estado == EstadoEntrega.FALLIDA:
            Webhook.objects.filter(pk=webhook.pk).update(fallos_consecutivos=F("fallos_consecutivos") + 1)
            webhook.refresh_from_db(fields=["fallos_consecutivos"])
        if entrega.codigo_http == 410:
            desactivar(webhook, _("El receptor respondió 410 Gone."))
        elif webhook.activo and webhook.fallos_consecutivos >= settings.WEBHOOK_FALLOS_MAX:
            desactivar(webhook, _("%(n)s entregas fallidas seguidas.") % {"n": webhook.fallos_consecutivos})
    entrega.save(
        update_fields=["intento", "estado", "codigo_http", "error", "duracion_ms", "proximo_intento", "actualizado_en"]
    )


def _reintentar_en(entrega):
    """Queues the retry for its time (with a broker; without one the sweep, `manage.py
    barrer_entregas`, finds it due)."""
    from .tasks import entregar

    if entrega.evento_id is None:
        entrega.estado, entrega.proximo_intento = EstadoEntrega.FALLIDA, None  # a ping is not retried
        return
    if not entregar.app.conf.task_always_eager:
        countdown = max(0, (entrega.proximo_intento - timezone.now()).total_seconds())
        transaction.on_commit(lambda: entregar.apply_async((entrega.pk,), countdown=countdown), robust=True)


def desactivar(webhook, motivo) -> None:
    webhook.activo, webhook.desactivado_motivo = False, motivo[:200]
    Webhook.objects.filter(pk=webhook.pk).update(activo=False, desactivado_motivo=webhook.desactivado_motivo)
    logger.warning("webhook %s disabled: %s", webhook.pk, motivo)
