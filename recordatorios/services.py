"""Sending the reminders: `enviar_recordatorios`, one email per owner, each reminder once."""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citas.models import Cita
from core.validators import no_control_characters, strip_control_characters
from historial.models import Vacuna
from sedes.models import Sede

from .models import Recordatorio, TipoRecordatorio
from .selectors import citas_pendientes, vacunas_pendientes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fallo:
    """An owner whose email could not be sent, and why, with no personal data (exception
    messages may quote the address or the name): their reminders stay unmarked for the next run."""

    cliente: int
    motivo: str


@dataclass
class Resumen:
    enviados: int = 0
    sin_email: int = 0
    ya_enviados: int = 0
    fallidos: list[Fallo] = field(default_factory=list)

    def __str__(self):
        # The failures go to stderr (see the command): this line keeps the shape scripts parse.
        return f"{self.enviados} enviados, {self.sin_email} sin email, {self.ya_enviados} ya enviados"


class EnvioFallido(Exception):
    """The email backend reported that it sent nothing."""


def _una_linea(text) -> str:
    # Rows stored before the validators existed may still hold a line break or a control character.
    return strip_control_characters(str(text))


def _en_sede(sede):
    """"en <sede> (tel. <teléfono>)": where the owner goes, and whom to call."""
    if sede is None:
        return ""
    if sede.telefono:
        return _(" en %(sede)s (tel. %(telefono)s)") % {
            "sede": _una_linea(sede.nombre),
            "telefono": _una_linea(sede.telefono),
        }
    return _(" en %(sede)s") % {"sede": _una_linea(sede.nombre)}


def _linea_vacuna(vacuna, sede=None):
    return _("- %(paciente)s: vacuna «%(vacuna)s», próxima dosis el %(fecha)s%(sede)s.") % {
        "paciente": _una_linea(vacuna.paciente.nombre),
        "vacuna": _una_linea(vacuna.nombre),
        "fecha": vacuna.proxima_dosis.strftime("%d/%m/%Y"),
        "sede": _en_sede(sede),
    }


def _linea_cita(cita):
    """The cita in its sede's local time, with the sede's name and phone."""
    return _("- %(paciente)s: cita el %(fecha)s con %(vet)s%(sede)s (%(motivo)s).") % {
        "paciente": _una_linea(cita.paciente.nombre),
        "fecha": timezone.localtime(cita.inicio, cita.sede.zona).strftime("%d/%m/%Y a las %H:%M"),
        "vet": _una_linea(cita.veterinario.nombre_completo or cita.veterinario.email),
        "sede": _en_sede(cita.sede),
        "motivo": _una_linea(cita.motivo),
    }


def email_utilizable(address) -> bool:
    """True for an address that can be the To header on its own: a valid email with no
    control character (rows stored before validation, or written around it, may break a
    header). An owner without one is counted `sin email`, like one with no address at all."""
    if not address:
        return False
    try:
        validate_email(address)
        no_control_characters(address)
    except ValidationError:
        return False
    return True


def _email(cliente, items, sedes=None) -> EmailMessage:
    """One message per owner; `sedes` ({id: Sede}) names where each dose is given."""
    clinica = _una_linea(settings.CLINIC_NAME)
    nombre = _una_linea(cliente.nombre)
    sedes = sedes or {}
    lineas = [
        _linea_vacuna(i, sedes.get(getattr(i, "sede_id_", None))) if isinstance(i, Vacuna) else _linea_cita(i)
        for i in items
    ]
    asunto = _("%(clinica)s: recordatorio para %(nombre)s") % {"clinica": clinica, "nombre": nombre}
    cuerpo = "\n".join(
        [
            _("Hola, %(nombre)s:") % {"nombre": nombre},
            "",
            _("Le recordamos desde %(clinica)s:") % {"clinica": clinica},
            "",
            *lineas,
            "",
            _("Si necesita cambiar o cancelar una cita, contacte con nosotros."),
            "",
            _("Un saludo,"),
            clinica,
        ]
    )
    return EmailMessage(asunto, cuerpo, to=[cliente.email])  # the address alone, never the name


def enviar_recordatorios(*, dias=14, horas=24, dry_run=False, now=None, progreso=None) -> Resumen:
    """Emails each owner one message with their pending reminders: vaccine doses due from today to
    today + `dias`, citas starting within `horas`. Every reminder goes out at most once (a
    Recordatorio row marks it); owners without a usable email are counted, not marked. Each owner is one
    step of its own: a failure is logged and counted in `fallidos`, leaves that owner's reminders
    for the next run, and the run goes on with the next owner."""
    now = now or timezone.now()
    hoy = timezone.localtime(now).date()
    vacunas = vacunas_pendientes(desde=hoy, hasta=hoy + datetime.timedelta(days=dias))
    citas = citas_pendientes(inicio_desde=now, inicio_hasta=now + datetime.timedelta(hours=horas))

    resumen = Resumen()
    por_cliente = defaultdict(list)
    sin_email_valido = set()
    for item in [*vacunas.order_by("proxima_dosis", "pk"), *citas.order_by("inicio", "pk")]:
        if item.enviado_en is not None:
            resumen.ya_enviados += 1
        elif not email_utilizable(item.paciente.propietario.email):
            resumen.sin_email += 1
            if item.paciente.propietario.email:
                sin_email_valido.add(item.paciente.propietario_id)
        else:
            por_cliente[item.paciente.propietario].append(item)

    for cliente_id in sorted(sin_email_valido):
        logger.warning("El cliente %s tiene un email no válido: sus recordatorios no se envían.", cliente_id)

    sedes = Sede.objects.in_bulk()
    # `progreso` wraps the owners' iteration (the command's progress bar on a terminal).
    for cliente, items in (progreso or iter)(list(por_cliente.items())):
        try:
            mensaje = _email(cliente, items, sedes)
            enviado = True if dry_run else _enviar_y_marcar(mensaje, cliente, items, now)
        except Exception as exc:  # whatever one owner's data or mailbox does, the next owners get theirs
            fallo = Fallo(cliente=cliente.pk, motivo=type(exc).__name__)  # an exception's message may quote the address
            logger.warning(
                "Recordatorios del cliente %s no enviados (%s); se reintentarán.", fallo.cliente, fallo.motivo
            )
            resumen.fallidos.append(fallo)
            continue
        if enviado:
            resumen.enviados += len(items)
        else:
            resumen.ya_enviados += len(items)
    return resumen


def _enviar_y_marcar(mensaje, cliente, items, now) -> bool:
    """Sends `mensaje` and marks `items` as sent, both or neither; False when a concurrent run
    marked them first.

    The marks are written first and committed only once the message went out, in one
    transaction: a failed send, or a worker dying mid-send, rolls them back and the next run
    tries again. Written first, they also serialise concurrent runs: the second one's insert
    waits on their unique index until this one commits, then fails, and it does not send.
    (The price: a crash after the server took the message and before the commit sends it again.)"""
    try:
        with transaction.atomic():
            Recordatorio.objects.bulk_create(
                [
                    Recordatorio(
                        tipo=TipoRecordatorio.VACUNA if isinstance(i, Vacuna) else TipoRecordatorio.CITA,
                        vacuna=i if isinstance(i, Vacuna) else None,
                        cita=i if isinstance(i, Cita) else None,
                        email=cliente.email,
                        enviado_en=now,
                    )
                    for i in items
                ]
            )
            if mensaje.send() != 1:
                raise EnvioFallido()
    except IntegrityError:
        return False
    return True
