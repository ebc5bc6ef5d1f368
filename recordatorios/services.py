"""Sending the reminders: the sweep `enviar_pendientes` (the `enviar_recordatorios` command and
the worker's beat call it), the retries of failed messages and the providers' status callbacks.

A reminder (a vaccine dose falling due, a cita coming) is sent once per offset
(RECORDATORIO_VACUNA_DIAS days before a dose, RECORDATORIO_CITA_HORAS hours before a cita) on
the channel that reaches its owner (recordatorios.canales.elegir_canal). Each send is a Mensaje
row; the unique constraints on (reminder, canal, offset) make concurrent sweeps send it once.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citas.models import Cita
from clientes.models import CanalPreferido
from core import events
from core.services import model_update, save_validated
from core.validators import no_control_characters, strip_control_characters
from historial.models import Vacuna
from sedes.models import Sede
from sedes.services import check_sede_o_todas

from . import canales
from .canales import EnvioFallido, elegir_canal
from .models import EstadoMensaje, Mensaje, Plantilla, Recordatorio, TipoRecordatorio
from .plantillas import render
from .selectors import citas_pendientes, plantillas_activas, texto_de, vacunas_pendientes

logger = logging.getLogger(__name__)

EVENTO_FALLIDO = "mensaje.fallido"
# Pending messages one sweep retries at most (the next sweep takes the rest).
LOTE_REINTENTOS = 500


@dataclass(frozen=True)
class Fallo:
    """An owner a message could not be sent to in this run, and why, with no personal data
    (exception messages may quote the address or the name): it is retried with backoff."""

    cliente: int
    motivo: str


@dataclass
class Resumen:
    """Counts of reminders: sent in this run, without a channel to reach the owner, already
    sent for their current offset; `en_espera`: waiting for the end of the quiet hours."""

    enviados: int = 0
    sin_canal: int = 0
    ya_enviados: int = 0
    en_espera: int = 0
    fallidos: list[Fallo] = field(default_factory=list)

    def __str__(self):
        # The failures go to stderr (see the command): this line keeps the shape scripts parse.
        return f"{self.enviados} enviados, {self.sin_canal} sin canal, {self.ya_enviados} ya enviados"


def _una_linea(text) -> str:
    # Rows stored before the validators existed may still hold a line break or a control character.
    return strip_control_characters(str(text))


def email_utilizable(address) -> bool:
    """True for an address that can be the To header on its own: a valid email with no
    control character (rows stored before validation, or written around it, may break a
    header). An owner without one cannot be reached by email."""
    if not address:
        return False
    try:
        validate_email(address)
        no_control_characters(address)
    except ValidationError:
        return False
    return True


# --- offsets and quiet hours -------------------------------------------------------------------


def _offset_alcanzado(restante, offsets):
    """The smallest offset already reached (`restante` ≤ offset), None if none is: once a
    closer offset is reached the earlier ones are past, so two reached at once send one."""
    alcanzados = [o for o in offsets if restante <= o]
    return min(alcanzados) if alcanzados else None


def offset_vacuna(proxima_dosis, *, hoy, offsets):
    """Days-before offset of a dose due on `proxima_dosis` on local date `hoy`."""
    dias = (proxima_dosis - hoy).days
    return None if dias < 0 else _offset_alcanzado(dias, offsets)


def offset_cita(inicio, *, now, offsets):
    """Hours-before offset of a cita starting at `inicio` (strictly less than N hours ahead)."""
    if inicio <= now:
        return None
    alcanzados = [o for o in offsets if inicio - now < datetime.timedelta(hours=o)]
    return min(alcanzados) if alcanzados else None


def _hora(valor) -> datetime.time:
    return datetime.time.fromisoformat(valor)


def en_silencio(now, zona) -> bool:
    """True between HORA_SILENCIO_DESDE and HORA_SILENCIO_HASTA, local time of `zona`."""
    desde, hasta = _hora(settings.HORA_SILENCIO_DESDE), _hora(settings.HORA_SILENCIO_HASTA)
    local = timezone.localtime(now, zona).time()
    if desde <= hasta:
        return desde <= local < hasta
    return local >= desde or local < hasta


def fin_del_silencio(now, zona) -> datetime.datetime:
    """The next HORA_SILENCIO_HASTA in `zona` after `now` (the morning a message waits for)."""
    local = timezone.localtime(now, zona)
    manana = datetime.datetime.combine(local.date(), _hora(settings.HORA_SILENCIO_HASTA), tzinfo=zona)
    if manana <= local:
        manana = datetime.datetime.combine(
            local.date() + datetime.timedelta(days=1), _hora(settings.HORA_SILENCIO_HASTA), tzinfo=zona
        )
    return manana


def espera_reintento(intentos) -> datetime.timedelta:
    """Backoff after the `intentos`-th failed attempt: 1, 2, 4, 8… minutes."""
    return datetime.timedelta(minutes=2 ** max(intentos - 1, 0))


# --- texts ---------------------------------------------------------------------------------------


@dataclass
class Pendiente:
    """A reminder due now: the vacuna or cita, its offset and its sede."""

    item: Vacuna | Cita
    offset: int
    sede: Sede | None

    @property
    def tipo(self):
        return TipoRecordatorio.VACUNA if isinstance(self.item, Vacuna) else TipoRecordatorio.CITA

    @property
    def cliente(self):
        return self.item.paciente.propietario


def valores(pendiente: Pendiente) -> dict:
    """The template variables of a reminder, each on one line."""
    item, sede = pendiente.item, pendiente.sede
    if isinstance(item, Vacuna):
        fecha, hora, vacuna = item.proxima_dosis, "", item.nombre
    else:
        local = timezone.localtime(item.inicio, item.sede.zona)
        fecha, hora, vacuna = local.date(), local.strftime("%H:%M"), ""
    return {
        "cliente": _una_linea(pendiente.cliente.nombre),
        "paciente": _una_linea(item.paciente.nombre),
        "vacuna": _una_linea(vacuna),
        "fecha": fecha.strftime("%d/%m/%Y"),
        "hora": hora,
        "sede": _una_linea(sede.nombre if sede else settings.CLINIC_NAME),
        "telefono_sede": _una_linea(sede.telefono if sede else ""),
    }


def _mensaje(pendiente: Pendiente, *, destino, plantillas, now) -> Mensaje:
    datos = valores(pendiente)
    texto = texto_de(
        plantillas,
        tipo=pendiente.tipo,
        canal=destino.canal,
        idioma=pendiente.cliente.idioma,
        sede_id=pendiente.sede.pk if pendiente.sede else None,
    ).para(datos)
    return Mensaje(
        canal=destino.canal,
        destinatario=destino.destinatario,
        cliente=pendiente.cliente,
        recordatorio_tipo=pendiente.tipo,
        vacuna=pendiente.item if pendiente.tipo == TipoRecordatorio.VACUNA else None,
        cita=pendiente.item if pendiente.tipo == TipoRecordatorio.CITA else None,
        sede=pendiente.sede,
        offset=pendiente.offset,
        asunto=_una_linea(render(texto.asunto, datos))[:255] if destino.canal == CanalPreferido.EMAIL else "",
        cuerpo=render(texto.cuerpo, datos),
        proximo_intento=now,
        creado_en=now,
    )


def _email(cliente, mensajes) -> EmailMessage:
    """One email carrying every reminder line of `mensajes` (one owner's), in their language."""
    clinica = _una_linea(settings.CLINIC_NAME)
    nombre = _una_linea(cliente.nombre)
    with translation.override(cliente.idioma):
        cuerpo = "\n".join(
            [
                _("Hola, %(nombre)s:") % {"nombre": nombre},
                "",
                _("Le recordamos desde %(clinica)s:") % {"clinica": clinica},
                "",
                *(m.cuerpo for m in mensajes),
                "",
                _("Si necesita cambiar o cancelar una cita, contacte con nosotros."),
                "",
                _("Un saludo,"),
                clinica,
            ]
        )
    message_id = make_msgid(domain="vetclinic")
    # the address alone, never the name
    return EmailMessage(mensajes[0].asunto, cuerpo, to=[cliente.email], headers={"Message-ID": message_id})


# --- sending -------------------------------------------------------------------------------------


def _marcar_enviados(mensajes, now):
    """The first message sent for a reminder marks it (Recordatorio: `enviado_en` of the API)."""
    Recordatorio.objects.bulk_create(
        [
            Recordatorio(
                tipo=m.recordatorio_tipo,
                vacuna_id=m.vacuna_id,
                cita_id=m.cita_id,
                destinatario=m.destinatario,
                enviado_en=now,
            )
            for m in mensajes
        ],
        ignore_conflicts=True,
    )


def _fallo(mensajes, motivo, now, resumen, *, definitivo=False):
    """A failed attempt: retried with backoff, `fallido` (and the event) after MENSAJE_REINTENTOS
    attempts, or at once when no retry can help (`definitivo`)."""
    for mensaje in mensajes:
        mensaje.intentos += 1
        mensaje.error = motivo
        if definitivo or mensaje.intentos >= settings.MENSAJE_REINTENTOS:
            mensaje.estado = EstadoMensaje.FALLIDO
            mensaje.proximo_intento = None
        else:
            mensaje.proximo_intento = now + espera_reintento(mensaje.intentos)
        mensaje.save(update_fields=["intentos", "error", "estado", "proximo_intento", "actualizado_en"])
    fallo = Fallo(cliente=mensajes[0].cliente_id, motivo=motivo)
    logger.warning("Mensaje al cliente %s no enviado (%s).", fallo.cliente, fallo.motivo)
    resumen.fallidos.append(fallo)


def _publicar_fallidos(mensajes):
    """`mensaje.fallido` for those of `mensajes` that failed for good, published last in their
    transaction: the event feed's commit-order lock (integraciones.outbox) is then held only
    for the commit, never while a message is on its way."""
    for mensaje in mensajes:
        if mensaje.estado == EstadoMensaje.FALLIDO:
            events.publish(EVENTO_FALLIDO, instance=mensaje, sede=mensaje.sede_id)


def _enviado(mensajes, proveedor_id, now, resumen):
    for mensaje in mensajes:
        mensaje.estado = EstadoMensaje.ENVIADO
        mensaje.intentos += 1
        mensaje.enviado_en = now
        mensaje.proveedor_id = proveedor_id[:100]
        mensaje.proximo_intento = None
        mensaje.error = ""
        mensaje.save(
            update_fields=[
                "estado",
                "intentos",
                "enviado_en",
                "proveedor_id",
                "proximo_intento",
                "error",
                "actualizado_en",
            ]
        )
    _marcar_enviados(mensajes, now)
    resumen.enviados += len(mensajes)


def _despachar(cliente, canal, mensajes, *, now, resumen):
    """Sends `mensajes` (one owner's, on `canal`), in the caller's transaction: email as one
    message, SMS/WhatsApp one by one, those of a sede in its quiet hours left for the morning.
    The owner's current consent and address decide: without them nothing goes out."""
    destinatario = canales.direccion(cliente, canal, email_utilizable=email_utilizable)
    if not destinatario:
        _fallo(mensajes, "sin consentimiento o sin dirección", now, resumen, definitivo=True)
        return
    if canal == CanalPreferido.EMAIL:
        for mensaje in mensajes:
            if mensaje.destinatario != destinatario:  # the owner changed it since the first attempt
                mensaje.destinatario = destinatario
                mensaje.save(update_fields=["destinatario", "actualizado_en"])
        try:
            email = _email(cliente, mensajes)
            if email.send() != 1:
                raise EnvioFallido()  # what a `fail_silently` backend answers: it sent nothing
        except Exception as exc:  # whatever one owner's data or mailbox does, the next owners get theirs
            _fallo(mensajes, type(exc).__name__, now, resumen)  # an exception's message may quote the address
            return
        _enviado(mensajes, email.extra_headers["Message-ID"], now, resumen)
        return
    backend = canales.backend(canal)
    for mensaje in mensajes:
        zona = mensaje.sede.zona if mensaje.sede else timezone.get_default_timezone()
        if en_silencio(now, zona):
            mensaje.proximo_intento = fin_del_silencio(now, zona)
            mensaje.save(update_fields=["proximo_intento", "actualizado_en"])
            resumen.en_espera += 1
            continue
        if mensaje.destinatario != destinatario:
            mensaje.destinatario = destinatario
            mensaje.save(update_fields=["destinatario", "actualizado_en"])
        try:
            if backend is None:
                raise EnvioFallido(_("canal desactivado"))
            proveedor_id = backend.send(to=destinatario, body=mensaje.cuerpo, reference=f"mensaje-{mensaje.pk}")
        except EnvioFallido as exc:
            _fallo([mensaje], str(exc), now, resumen)
            continue
        except Exception as exc:
            _fallo([mensaje], type(exc).__name__, now, resumen)
            continue
        _enviado([mensaje], proveedor_id, now, resumen)


def _offsets(valor) -> list[int]:
    """The offsets of a setting: a list of numbers, or their text as in the environment ("14,3")."""
    if isinstance(valor, str):
        valor = [parte for parte in valor.split(",") if parte.strip()]
    return sorted({int(o) for o in valor if int(o) >= 0})


def enviar_pendientes(*, now=None, dias=None, horas=None, dry_run=False, progreso=None) -> Resumen:
    """The sweep: sends every reminder due now on its owner's channel, and retries the
    messages whose next attempt is due. Safe to run in several workers at once.

    A dose is due at each offset of RECORDATORIO_VACUNA_DIAS (days before `proxima_dosis`, in its
    sede's zone), a cita at each of RECORDATORIO_CITA_HORAS (hours before it starts); `dias` /
    `horas` replace them with one offset. Each reminder goes out once per offset: an owner's
    email carries all their reminders of the run; SMS and WhatsApp go one per reminder, never in
    the sede's quiet hours (they wait for the morning). A failure is retried with backoff up to
    MENSAJE_REINTENTOS attempts, then left `fallido`. `dry_run` counts and writes nothing.

    Each owner is a transaction of its own: the message rows are inserted, the message sent
    and its outcome written together, so a worker dying mid-send leaves nothing behind, and a
    concurrent sweep's insert of the same (reminder, canal, offset) waits for this one and then
    counts it as already sent."""
    now = now or timezone.now()
    vacuna_offsets = [dias] if dias is not None else _offsets(settings.RECORDATORIO_VACUNA_DIAS) or [14, 3]
    cita_offsets = [horas] if horas is not None else _offsets(settings.RECORDATORIO_CITA_HORAS) or [48, 2]
    sedes = Sede.objects.in_bulk()
    hoy = timezone.localtime(now).date()
    vacunas = vacunas_pendientes(
        desde=hoy - datetime.timedelta(days=1), hasta=hoy + datetime.timedelta(days=max(vacuna_offsets) + 1)
    )
    citas = citas_pendientes(inicio_desde=now, inicio_hasta=now + datetime.timedelta(hours=max(cita_offsets)))

    pendientes = []
    for vacuna in vacunas.order_by("proxima_dosis", "pk"):
        sede = sedes.get(vacuna.sede_id_)  # the /recordatorios/ sede: None is the clinic as a whole
        local = timezone.localtime(now, sede.zona).date() if sede else hoy
        offset = offset_vacuna(vacuna.proxima_dosis, hoy=local, offsets=vacuna_offsets)
        if offset is not None:
            pendientes.append(Pendiente(vacuna, offset, sede))
    for cita in citas.order_by("inicio", "pk"):
        offset = offset_cita(cita.inicio, now=now, offsets=cita_offsets)
        if offset is not None:
            pendientes.append(Pendiente(cita, offset, cita.sede))

    existentes = _mensajes_de(pendientes)
    resumen = Resumen()
    activos = canales.canales_activos()
    por_destino = defaultdict(list)
    sin_email_valido = set()
    for pendiente in pendientes:
        estado = existentes.get((pendiente.tipo, pendiente.item.pk, pendiente.offset))
        if estado == EstadoMensaje.PENDIENTE:
            continue  # waiting for the morning or a retry: the retries below take it
        if estado is not None:
            resumen.ya_enviados += 1
            continue
        cliente = pendiente.cliente
        destino = elegir_canal(cliente, activos=activos, email_utilizable=email_utilizable)
        if destino is None:
            resumen.sin_canal += 1
            if cliente.email and not email_utilizable(cliente.email):
                sin_email_valido.add(cliente.pk)
            continue
        por_destino[(cliente, destino)].append(pendiente)

    for cliente_id in sorted(sin_email_valido):
        logger.warning("El cliente %s tiene un email no válido: no se le escribe por email.", cliente_id)

    plantillas = plantillas_activas()
    # `progreso` wraps the owners' iteration (the command's progress bar on a terminal).
    for (cliente, destino), grupo in (progreso or iter)(list(por_destino.items())):
        if dry_run:
            resumen.enviados += len(grupo)
            continue
        _crear_y_enviar(cliente, destino, grupo, plantillas=plantillas, now=now, resumen=resumen)
    if not dry_run:
        reintentar(now=now, resumen=resumen)
    return resumen


def _mensajes_de(pendientes) -> dict:
    """{(tipo, vacuna or cita id, offset): estado} of the messages the reminders already have."""
    vacunas = [p.item.pk for p in pendientes if p.tipo == TipoRecordatorio.VACUNA]
    citas = [p.item.pk for p in pendientes if p.tipo == TipoRecordatorio.CITA]
    existentes = {}
    filas = Mensaje.objects.filter(vacuna__in=vacunas).values_list("vacuna", "offset", "estado")
    for pk, offset, estado in filas:
        existentes[(TipoRecordatorio.VACUNA, pk, offset)] = estado
    for pk, offset, estado in Mensaje.objects.filter(cita__in=citas).values_list("cita", "offset", "estado"):
        existentes[(TipoRecordatorio.CITA, pk, offset)] = estado
    return existentes


def _crear_y_enviar(cliente, destino, grupo, *, plantillas, now, resumen):
    with transaction.atomic():
        mensajes = []
        for pendiente in grupo:
            mensaje = _mensaje(pendiente, destino=destino, plantillas=plantillas, now=now)
            try:
                with transaction.atomic():
                    mensaje.save()
            except IntegrityError:
                resumen.ya_enviados += 1  # a concurrent sweep sent it first
                continue
            mensajes.append(mensaje)
        if mensajes:
            _despachar(cliente, destino.canal, mensajes, now=now, resumen=resumen)
            _publicar_fallidos(mensajes)


def reintentar(*, now=None, resumen=None) -> Resumen:
    """Sends the pending messages whose time came (a retry after a failure, or the morning after
    the quiet hours), up to LOTE_REINTENTOS of them. Like the sweep, each owner's messages on a
    channel are a transaction of their own (an outcome commits once it is known; a worker dying
    later re-sends nothing), in which they are claimed with SELECT … FOR UPDATE SKIP LOCKED and
    read again: concurrent sweeps share them out instead of sending one twice."""
    now = now or timezone.now()
    resumen = resumen or Resumen()
    debidos = Mensaje.objects.filter(estado=EstadoMensaje.PENDIENTE, proximo_intento__lte=now)
    grupos = defaultdict(list)
    for pk, cliente_id, canal in debidos.order_by("proximo_intento", "pk").values_list("pk", "cliente", "canal")[
        :LOTE_REINTENTOS
    ]:
        grupos[(cliente_id, canal)].append(pk)
    for (_cliente_id, canal), ids in grupos.items():
        with transaction.atomic():
            mensajes = list(
                debidos.filter(pk__in=ids)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("cliente", "sede")
                .order_by("proximo_intento", "pk")
            )
            if not mensajes:
                continue  # another sweep has them
            vigentes = _vigentes(mensajes, now)
            for mensaje in mensajes:
                if mensaje.pk not in vigentes:
                    _fallo([mensaje], "el recordatorio ya no procede", now, resumen, definitivo=True)
            grupo = [m for m in mensajes if m.pk in vigentes]
            if grupo:
                _despachar(grupo[0].cliente, canal, grupo, now=now, resumen=resumen)
            _publicar_fallidos(mensajes)
    return resumen


def _vigentes(mensajes, now) -> set[int]:
    """The ids of `mensajes` that still have a reason to go: their cita is active and ahead,
    their dose not yet replaced by a later application (the sweep's own queries, two in all)."""
    citas = {m.cita_id for m in mensajes if m.cita_id is not None}
    vacunas = {m.vacuna_id for m in mensajes if m.vacuna_id is not None}
    hoy = timezone.localtime(now).date()
    citas_vigentes = set(citas_pendientes(inicio_desde=now).filter(pk__in=citas).values_list("pk", flat=True))
    vacunas_vigentes = set(
        vacunas_pendientes(desde=hoy - datetime.timedelta(days=1), hasta=datetime.date.max)
        .filter(pk__in=vacunas)
        .values_list("pk", flat=True)
    )
    return {
        m.pk
        for m in mensajes
        if (m.cita_id in citas_vigentes if m.cita_id is not None else m.vacuna_id in vacunas_vigentes)
    }


# --- provider callbacks ------------------------------------------------------------------------


ESTADOS_DE_CALLBACK = (EstadoMensaje.ENTREGADO, EstadoMensaje.FALLIDO)


@transaction.atomic
def mensaje_estado(*, canal, proveedor_id, estado, error="") -> list[Mensaje]:
    """A provider's report on the message it knows as `proveedor_id`: `entregado` or `fallido`
    (a delivered message stays delivered). Publishes `mensaje.fallido` for a failure."""
    mensajes = list(
        Mensaje.objects.select_for_update()
        .filter(canal=canal, proveedor_id=proveedor_id)
        .exclude(proveedor_id="")
        .order_by("pk")
    )
    for mensaje in mensajes:
        if mensaje.estado == EstadoMensaje.ENTREGADO or mensaje.estado == estado:
            continue
        mensaje.estado = estado
        if estado == EstadoMensaje.FALLIDO:
            mensaje.error = (error or "")[:1000]
        mensaje.save(update_fields=["estado", "error", "actualizado_en"])
        if estado == EstadoMensaje.FALLIDO:
            events.publish(EVENTO_FALLIDO, instance=mensaje, sede=mensaje.sede_id)
    return mensajes


# --- plantillas ----------------------------------------------------------------------------------

PLANTILLA_FIELDS = ("tipo", "canal", "idioma", "sede", "asunto", "cuerpo", "activo")


@transaction.atomic
def plantilla_create(*, actor, **data) -> Plantilla:
    """A template; its variables are checked (Plantilla's validators), one active per key. It
    applies at a sede its author acts at, or at all (sedes.services.check_sede_o_todas)."""
    check_sede_o_todas(actor=actor, sede=data.get("sede"))
    return save_validated(Plantilla(**{k: v for k, v in data.items() if k in PLANTILLA_FIELDS}), actor=actor)


@transaction.atomic
def plantilla_update(*, actor, plantilla, data) -> Plantilla:
    if "sede" in data:
        check_sede_o_todas(actor=actor, sede=data["sede"])
    plantilla, _changed = model_update(actor=actor, instance=plantilla, data=data, fields=PLANTILLA_FIELDS)
    return plantilla


@transaction.atomic
def plantilla_delete(*, actor, plantilla) -> None:
    """Nothing refers to a template (a message keeps its own text): it may always go."""
    plantilla.delete()
