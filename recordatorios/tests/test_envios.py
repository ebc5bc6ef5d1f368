"""The sweep on every channel: offsets, one message per reminder × channel × offset (also with
two workers at once), quiet hours in each sede's zone, retries with backoff then `fallido` and
its event. SMS and WhatsApp go to a real HTTP gateway on loopback."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import VeterinarioFactory
from citas.tests.factories import CitaFactory
from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from conftest import run_at_once
from core import events
from historial.tests.factories import VacunaFactory
from recordatorios.models import EstadoMensaje, Mensaje, Recordatorio
from recordatorios.services import enviar_pendientes, fin_del_silencio
from recordatorios.tests.factories import PlantillaFactory
from recordatorios.tests.gateway import pasarela  # noqa: F401 (fixture)
from sedes.tests.factories import SedeFactory

pytestmark = pytest.mark.django_db

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
CANARIAS = zoneinfo.ZoneInfo("Atlantic/Canary")


@pytest.fixture
def sms(settings, pasarela):  # noqa: F811
    """SMS through the loopback gateway."""
    settings.SMS_URL = f"webhook+{pasarela.url}/sms"
    return pasarela


@pytest.fixture
def publicados(monkeypatch):
    """The events published meanwhile, as (tipo, instance, sede)."""
    vistos = []
    monkeypatch.setattr(
        events, "_recorders", [lambda tipo, *, instance, sede, datos: vistos.append((tipo, instance, sede))]
    )
    return vistos


def dueno_sms(**kwargs):
    return ClienteFactory(movil="+34600111222", acepta_sms=True, canal_preferido="sms", **kwargs)


def vacuna_en(now, dias, **kwargs):
    hoy = timezone.localdate(now)
    return VacunaFactory(
        fecha_aplicacion=hoy - datetime.timedelta(days=300), proxima_dosis=hoy + datetime.timedelta(days=dias), **kwargs
    )


def cita_a(inicio, **kwargs):
    return CitaFactory(inicio=inicio, fin=inicio + datetime.timedelta(minutes=30), **kwargs)


def al_mediodia():
    return datetime.datetime(2027, 1, 15, 12, 0, tzinfo=MADRID)


# --- offsets -------------------------------------------------------------------------------------


def test_two_offsets_reached_at_once_give_one_message(settings):
    # given a dose due in 2 days, past both the 14-day and the 3-day offsets, never reminded
    settings.RECORDATORIO_VACUNA_DIAS = [14, 3]
    ahora = al_mediodia()
    vacuna = vacuna_en(ahora, 2, paciente__propietario__email="marta@correo.test")

    # when the sweep runs
    resumen = enviar_pendientes(now=ahora)

    # then one message goes out, for the closest offset
    assert resumen.enviados == 1
    assert len(mail.outbox) == 1
    assert list(Mensaje.objects.values_list("vacuna", "canal", "offset")) == [(vacuna.pk, "email", 3)]


def test_each_offset_sends_the_reminder_once_more(settings):
    settings.RECORDATORIO_VACUNA_DIAS = [14, 3]
    ahora = al_mediodia()
    vacuna = vacuna_en(ahora, 10, paciente__propietario__email="marta@correo.test")

    enviar_pendientes(now=ahora)  # 10 days ahead: the 14-day offset
    enviar_pendientes(now=ahora + datetime.timedelta(days=1))  # still the 14-day one: nothing
    enviar_pendientes(now=ahora + datetime.timedelta(days=7))  # 3 days ahead: the 3-day offset

    assert sorted(Mensaje.objects.filter(vacuna=vacuna).values_list("offset", flat=True)) == [3, 14]
    assert len(mail.outbox) == 2
    # the reminder's mark keeps the first send
    assert Recordatorio.objects.get(vacuna=vacuna).enviado_en == ahora


def test_a_cita_is_reminded_at_each_hours_offset(settings):
    settings.RECORDATORIO_CITA_HORAS = "48,2"
    ahora = al_mediodia()
    cita = cita_a(ahora + datetime.timedelta(hours=30), paciente__propietario__email="marta@correo.test")

    enviar_pendientes(now=ahora)
    enviar_pendientes(now=ahora + datetime.timedelta(hours=29))

    assert sorted(Mensaje.objects.filter(cita=cita).values_list("offset", flat=True)) == [2, 48]


# --- SMS through the gateway ---------------------------------------------------------------------


def test_an_sms_goes_through_the_gateway_with_the_template_and_is_logged(sms):
    # given an owner who prefers SMS and a sede's own template
    ahora = al_mediodia()
    madrid = SedeFactory(nombre="VetClinic Madrid", zona_horaria="Europe/Madrid", telefono="+34910000001")
    PlantillaFactory(tipo="cita", canal="sms", idioma="es", sede=madrid, cuerpo="{paciente}: {fecha} {hora}, {sede}")
    vet = VeterinarioFactory(sedes=[madrid])
    inicio = datetime.datetime(2027, 1, 16, 10, 30, tzinfo=MADRID)
    cita = cita_a(inicio, sede=madrid, veterinario=vet, paciente__propietario=dueno_sms(), paciente__nombre="Nube")

    # when the sweep runs
    resumen = enviar_pendientes(now=ahora)

    # then the gateway got the rendered text, and the log says so
    assert resumen.enviados == 1
    [mensaje] = Mensaje.objects.all()
    assert sms.json() == [
        {"to": "+34600111222", "body": "Nube: 16/01/2027 10:30, VetClinic Madrid", "reference": f"mensaje-{mensaje.pk}"}
    ]
    assert (mensaje.cita_id, mensaje.canal, mensaje.estado, mensaje.proveedor_id, mensaje.intentos) == (
        cita.pk,
        "sms",
        EstadoMensaje.ENVIADO,
        "gw-1",
        1,
    )
    assert mail.outbox == []


def test_an_owner_in_english_gets_the_english_default(sms):
    ahora = al_mediodia()
    vacuna_en(ahora, 3, paciente__propietario=dueno_sms(idioma="en"), paciente__nombre="Nube", nombre="Rabies")

    enviar_pendientes(now=ahora)

    [enviado] = sms.json()
    assert "Nube is due the Rabies vaccine on" in enviado["body"]


def test_without_a_channel_the_reminder_is_counted_sin_canal():
    ahora = al_mediodia()
    vacuna_en(ahora, 3, paciente__propietario=ClienteFactory(acepta_email=False, movil="+34600111222"))

    resumen = enviar_pendientes(now=ahora)

    assert str(resumen) == "0 enviados, 1 sin canal, 0 ya enviados"
    assert not Mensaje.objects.exists()


def test_a_dry_run_writes_no_message(sms):
    ahora = al_mediodia()
    vacuna_en(ahora, 3, paciente__propietario=dueno_sms())

    resumen = enviar_pendientes(now=ahora, dry_run=True)

    assert resumen.enviados == 1
    assert (Mensaje.objects.count(), sms.recibidos) == (0, [])


# --- quiet hours ---------------------------------------------------------------------------------


def test_quiet_hours_defer_an_sms_to_the_next_morning_in_the_sedes_zone(sms):
    # given two sedes an hour apart, and an SMS due at each, at 21:30 in Madrid (20:30 in Las Palmas)
    madrid = SedeFactory(nombre="Madrid", zona_horaria="Europe/Madrid")
    canarias = SedeFactory(nombre="Las Palmas", zona_horaria="Atlantic/Canary")
    ahora = datetime.datetime(2027, 1, 15, 21, 30, tzinfo=MADRID)
    manana = ahora + datetime.timedelta(hours=40)
    en_madrid = cita_a(
        manana, sede=madrid, veterinario=VeterinarioFactory(sedes=[madrid]), paciente__propietario=dueno_sms()
    )
    en_canarias = cita_a(
        manana, sede=canarias, veterinario=VeterinarioFactory(sedes=[canarias]), paciente__propietario=dueno_sms()
    )

    # when the sweep runs
    resumen = enviar_pendientes(now=ahora)

    # then Las Palmas' goes now; Madrid's waits for 09:00 in Madrid
    assert (resumen.enviados, resumen.en_espera) == (1, 1)
    assert len(sms.recibidos) == 1
    espera = Mensaje.objects.get(cita=en_madrid)
    assert espera.estado == EstadoMensaje.PENDIENTE
    assert espera.proximo_intento == datetime.datetime(2027, 1, 16, 9, 0, tzinfo=MADRID)
    assert Mensaje.objects.get(cita=en_canarias).estado == EstadoMensaje.ENVIADO

    # and a sweep during the night sends nothing; the first one after 09:00 in Madrid sends it
    assert enviar_pendientes(now=datetime.datetime(2027, 1, 16, 8, 59, tzinfo=MADRID)).enviados == 0
    resumen = enviar_pendientes(now=datetime.datetime(2027, 1, 16, 9, 5, tzinfo=MADRID))
    assert (resumen.enviados, resumen.ya_enviados) == (1, 1)
    assert len(sms.recibidos) == 2
    assert Mensaje.objects.get(cita=en_madrid).estado == EstadoMensaje.ENVIADO


def test_the_canary_morning_comes_an_hour_after_madrids(settings):
    settings.HORA_SILENCIO_DESDE, settings.HORA_SILENCIO_HASTA = "21:00", "09:00"
    noche = datetime.datetime(2027, 7, 1, 22, 30, tzinfo=datetime.UTC)

    assert fin_del_silencio(noche, MADRID) == datetime.datetime(2027, 7, 2, 7, 0, tzinfo=datetime.UTC)
    assert fin_del_silencio(noche, CANARIAS) == datetime.datetime(2027, 7, 2, 8, 0, tzinfo=datetime.UTC)
    # after midnight, the same morning
    madrugada = datetime.datetime(2027, 7, 2, 1, 0, tzinfo=MADRID)
    assert fin_del_silencio(madrugada, MADRID) == datetime.datetime(2027, 7, 2, 9, 0, tzinfo=MADRID)


def test_email_is_not_held_by_quiet_hours():
    ahora = datetime.datetime(2027, 1, 15, 23, 0, tzinfo=MADRID)
    vacuna_en(ahora, 3, paciente__propietario__email="marta@correo.test")

    assert enviar_pendientes(now=ahora).enviados == 1


# --- retries, fallido and its event -------------------------------------------------------------


def test_a_gateway_that_answers_500_is_retried_with_backoff_and_then_marked_fallido(sms, settings, publicados):
    # given a gateway that fails every time, and three attempts allowed
    settings.MENSAJE_REINTENTOS = 3
    sms.respuestas = [500] * 10
    ahora = al_mediodia()
    vacuna_en(ahora, 3, paciente__propietario=dueno_sms())

    # when the sweep runs, then again before the backoff is over, then once it is, each time
    primero = enviar_pendientes(now=ahora)
    mensaje = Mensaje.objects.get()
    assert (mensaje.estado, mensaje.intentos, mensaje.error) == (EstadoMensaje.PENDIENTE, 1, "HTTP 500")
    assert mensaje.proximo_intento == ahora + datetime.timedelta(minutes=1)
    assert [f.motivo for f in primero.fallidos] == ["HTTP 500"]

    enviar_pendientes(now=ahora + datetime.timedelta(seconds=30))  # too early: not retried
    assert len(sms.recibidos) == 1
    enviar_pendientes(now=ahora + datetime.timedelta(minutes=1))  # 2nd attempt; the next after 2 more
    mensaje.refresh_from_db()
    assert (mensaje.intentos, mensaje.proximo_intento) == (2, ahora + datetime.timedelta(minutes=3))
    assert publicados == []
    enviar_pendientes(now=ahora + datetime.timedelta(minutes=3))  # 3rd and last

    # then it is left fallido, no further attempt is made, and the event was published once
    mensaje.refresh_from_db()
    assert (mensaje.estado, mensaje.intentos, mensaje.proximo_intento) == (EstadoMensaje.FALLIDO, 3, None)
    enviar_pendientes(now=ahora + datetime.timedelta(hours=1))
    assert len(sms.recibidos) == 3
    assert [(tipo, instancia.pk) for tipo, instancia, _sede in publicados] == [("mensaje.fallido", mensaje.pk)]
    assert not Recordatorio.objects.exists()


def test_a_retry_that_succeeds_marks_the_message_sent(sms):
    sms.respuestas = [503]
    ahora = al_mediodia()
    vacuna_en(ahora, 3, paciente__propietario=dueno_sms())
    enviar_pendientes(now=ahora)

    resumen = enviar_pendientes(now=ahora + datetime.timedelta(minutes=1))

    mensaje = Mensaje.objects.get()
    assert (resumen.enviados, mensaje.estado, mensaje.intentos, mensaje.error) == (1, EstadoMensaje.ENVIADO, 2, "")
    assert mensaje.proveedor_id == "gw-2"


def test_a_retry_never_goes_to_an_owner_who_withdrew_consent(sms, publicados):
    sms.respuestas = [500]
    ahora = al_mediodia()
    vacuna = vacuna_en(ahora, 3, paciente__propietario=dueno_sms())
    enviar_pendientes(now=ahora)
    Cliente.objects.filter(pk=vacuna.paciente.propietario_id).update(acepta_sms=False)

    enviar_pendientes(now=ahora + datetime.timedelta(minutes=1))

    assert len(sms.recibidos) == 1
    assert Mensaje.objects.get().estado == EstadoMensaje.FALLIDO
    assert [tipo for tipo, *_ in publicados] == ["mensaje.fallido"]


# --- concurrency ---------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_two_workers_running_the_same_sweep_at_once_send_once(sms):
    # given a due SMS and a gateway slow enough for two sweeps to overlap
    sms.demora = 0.5
    ahora = al_mediodia()
    vacuna = vacuna_en(ahora, 3, paciente__propietario=dueno_sms())

    # when two workers run the sweep together
    resumenes = run_at_once([lambda: enviar_pendientes(now=ahora)] * 2)

    # then the gateway got one message, the log holds one, and the second worker counted it as sent
    assert len(sms.recibidos) == 1
    assert Mensaje.objects.filter(vacuna=vacuna).count() == 1
    assert sorted((r.enviados, r.ya_enviados) for r in resumenes) == [(0, 1), (1, 0)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_two_workers_retrying_at_once_share_the_pending_messages(sms):
    # given a message whose retry is due, and a slow gateway
    sms.respuestas = [500]
    ahora = al_mediodia()
    vacuna_en(ahora, 3, paciente__propietario=dueno_sms())
    enviar_pendientes(now=ahora)
    sms.demora = 0.5

    # when two workers sweep once the backoff is over
    later = ahora + datetime.timedelta(minutes=1)
    resumenes = run_at_once([lambda: enviar_pendientes(now=later)] * 2)

    # then the retry went out once (the second worker skipped the claimed row)
    assert len(sms.recibidos) == 2
    assert sorted(r.enviados for r in resumenes) == [0, 1]
    assert Mensaje.objects.get().estado == EstadoMensaje.ENVIADO


def test_a_message_waiting_for_the_morning_is_dropped_if_its_cita_was_cancelled(sms):
    # given an SMS deferred by the quiet hours
    ahora = datetime.datetime(2027, 1, 15, 22, 0, tzinfo=MADRID)
    cita = cita_a(ahora + datetime.timedelta(hours=40), paciente__propietario=dueno_sms())
    enviar_pendientes(now=ahora)
    assert Mensaje.objects.get().estado == EstadoMensaje.PENDIENTE

    # when the cita is cancelled before the morning sweep
    cita.estado = "cancelada"
    cita.save(update_fields=["estado"])
    enviar_pendientes(now=datetime.datetime(2027, 1, 16, 9, 30, tzinfo=MADRID))

    # then nothing goes out
    assert sms.recibidos == []
    mensaje = Mensaje.objects.get()
    assert (mensaje.estado, mensaje.error) == (EstadoMensaje.FALLIDO, "el recordatorio ya no procede")


def test_an_email_template_without_a_subject_keeps_the_built_in_one():
    PlantillaFactory(tipo="vacuna", canal="email", idioma="es", asunto="", cuerpo="* {paciente}: {vacuna} el {fecha}")
    ahora = al_mediodia()
    vacuna_en(ahora, 3, paciente__propietario__email="marta@correo.test", paciente__propietario__nombre="Marta")

    enviar_pendientes(now=ahora)

    [email] = mail.outbox
    assert email.subject.endswith(": recordatorio para Marta")
    assert f"* {Mensaje.objects.get().vacuna.paciente.nombre}: " in email.body
