import datetime
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Rol
from citas.models import EstadoCita
from citas.tests.factories import CitaFactory
from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from historial.tests.factories import VacunaFactory
from pacientes.tests.factories import PacienteFactory
from recordatorios.models import Mensaje, Recordatorio
from recordatorios.services import enviar_pendientes
from sedes.tests.factories import SedeFactory, sede_principal

pytestmark = pytest.mark.django_db

URL = "/api/v1/recordatorios/"


def hoy():
    return timezone.localdate()


def en_dias(n):
    return hoy() + datetime.timedelta(days=n)


def vacuna_que_vence(dias, **kwargs):
    return VacunaFactory(fecha_aplicacion=en_dias(-300), proxima_dosis=en_dias(dias), **kwargs)


def cita_en(horas, **kwargs):
    inicio = timezone.now() + datetime.timedelta(hours=horas)
    return CitaFactory(inicio=inicio, fin=inicio + datetime.timedelta(minutes=30), **kwargs)


@pytest.fixture
def recepcion(api_client):
    return api_client(Rol.RECEPCIONISTA)


# --- endpoint ------------------------------------------------------------------------------


def test_lists_due_vaccines_and_upcoming_citas_ordered_by_fecha_then_tipo(recepcion):
    v1 = vacuna_que_vence(3)
    v2 = vacuna_que_vence(0)
    c1 = cita_en(24 * 3 + 1)
    vacuna_que_vence(20)  # outside the default window

    response = recepcion.get(URL)

    assert response.status_code == 200
    items = response.json()["results"]
    assert [(i["tipo"], i.get("vacuna") or i.get("cita")) for i in items][:1] == [("vacuna", v2.id)]
    assert {("vacuna", v1.id), ("vacuna", v2.id), ("cita", c1.id)} == {
        (i["tipo"], i.get("vacuna") or i.get("cita")) for i in items
    }
    fechas = [(i["fecha"], i["tipo"]) for i in items]
    assert fechas == sorted(fechas)


def test_item_shape(recepcion):
    dueno = ClienteFactory(nombre="Ana", apellidos="Sol", email="ana@correo.test", telefono="600")
    vacuna = vacuna_que_vence(2, paciente__propietario=dueno, paciente__nombre="Kira")

    item = recepcion.get(URL).json()["results"][0]

    assert item == {
        "tipo": "vacuna",
        "fecha": en_dias(2).isoformat(),
        "paciente": vacuna.paciente_id,
        "paciente_nombre": "Kira",
        "cliente": dueno.id,
        "cliente_nombre": "Ana Sol",
        "email": "ana@correo.test",
        "telefono": "600",
        "vacuna": vacuna.id,
        "sede": sede_principal().id,
        "enviado_en": None,
    }


def test_a_dose_without_consultas_is_reminded_from_the_only_active_sede_whatever_its_codigo(recepcion):
    # given a dose due, and the only sede renamed by an admin
    vacuna = vacuna_que_vence(2)
    sede = sede_principal()
    sede.codigo = "MAD"
    sede.save()

    [item] = recepcion.get(URL).json()["results"]
    [filtrado] = recepcion.get(URL, {"sede": sede.pk}).json()["results"]

    assert (item["vacuna"], item["sede"]) == (vacuna.pk, sede.pk)
    assert filtrado["vacuna"] == vacuna.pk


def test_with_several_sedes_a_dose_without_consultas_has_no_sede_and_is_still_reminded(recepcion, settings):
    SedeFactory()
    vacuna_que_vence(3, paciente__propietario__email="marta@correo.test")

    [item] = recepcion.get(URL).json()["results"]
    enviar_pendientes()

    assert item["sede"] is None
    [mensaje] = Mensaje.objects.all()
    assert (mensaje.sede, settings.CLINIC_NAME in mensaje.cuerpo) == (None, True)


def test_window_and_tipo_filters(recepcion):
    vacuna_que_vence(5)
    lejana = vacuna_que_vence(40)
    cita_en(2)

    window = recepcion.get(URL, {"desde": en_dias(30).isoformat(), "hasta": en_dias(45).isoformat()}).json()
    solo_citas = recepcion.get(URL, {"tipo": "cita"}).json()

    assert [i["vacuna"] for i in window["results"]] == [lejana.id]
    assert [i["tipo"] for i in solo_citas["results"]] == ["cita"]


def test_superseded_doses_are_never_listed(recepcion):
    paciente = PacienteFactory()
    VacunaFactory(paciente=paciente, nombre="Rabia", fecha_aplicacion=en_dias(-400), proxima_dosis=en_dias(3))
    VacunaFactory(paciente=paciente, nombre="rabia ", fecha_aplicacion=en_dias(-10), proxima_dosis=en_dias(355))
    nueva = VacunaFactory(paciente=paciente, nombre="RABIA", fecha_aplicacion=en_dias(-5), proxima_dosis=en_dias(4))

    ids = [i["vacuna"] for i in recepcion.get(URL, {"tipo": "vacuna"}).json()["results"]]

    assert ids == [nueva.id]


def test_dead_or_inactive_pacientes_and_inactive_citas_are_excluded(recepcion):
    vacuna_que_vence(2, paciente__activo=False)
    vacuna_que_vence(2, paciente__fallecido=True, paciente__fecha_fallecimiento=hoy())
    cita_en(5, estado=EstadoCita.CANCELADA)

    assert recepcion.get(URL).json()["count"] == 0


def test_enviado_filter(recepcion):
    enviada = vacuna_que_vence(2, paciente__propietario__email="a@b.test")
    pendiente = vacuna_que_vence(3)
    Recordatorio.objects.create(tipo="vacuna", vacuna=enviada, destinatario="a@b.test")

    si = recepcion.get(URL, {"enviado": "true"}).json()["results"]
    no = recepcion.get(URL, {"enviado": "false"}).json()["results"]

    assert [i["vacuna"] for i in si] == [enviada.id]
    assert si[0]["enviado_en"] is not None
    assert [i["vacuna"] for i in no] == [pendiente.id]


def test_owner_sees_only_own_reminders(client_for, cliente):
    propia = vacuna_que_vence(2, paciente__propietario=cliente)
    vacuna_que_vence(2)

    items = client_for(cliente.usuario).get(URL).json()["results"]

    assert [i["vacuna"] for i in items] == [propia.id]


@pytest.mark.parametrize(
    "params",
    [{"desde": "mañana"}, {"tipo": "sms"}, {"enviado": "quizás"}, {"desde": "2030-01-10", "hasta": "2030-01-01"}],
)
def test_bad_parameters_are_400(recepcion, params):
    assert recepcion.get(URL, params).status_code == 400


@pytest.mark.parametrize("page_size", [1, 50])
def test_constant_number_of_queries(recepcion, django_assert_max_num_queries, page_size):
    for i in range(30):
        vacuna_que_vence(i % 14)
        cita_en(2 + i)

    # the caller, the count, the page, and the sedes' zones (recordatorios.selectors)
    with django_assert_max_num_queries(4):
        response = recepcion.get(URL, {"page_size": page_size})

    assert response.json()["count"] == 60
    assert len(response.json()["results"]) == page_size


# --- enviar_recordatorios ------------------------------------------------------------------


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("enviar_recordatorios", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


@pytest.mark.parametrize(
    "args", [["--dias", "100000000"], ["--horas", "99999999999"], ["--dias", "-1"], ["--horas", "x"]]
)
def test_an_offset_out_of_range_is_a_usage_error_not_a_traceback(args):
    with pytest.raises(CommandError) as error:
        call_command("enviar_recordatorios", *args)

    assert "debe estar entre 0 y" in str(error.value) or "no es un número entero" in str(error.value)


def test_one_email_per_owner_grouping_their_items(settings):
    settings.CLINIC_NAME = "Clínica Los Olmos"
    dueno = ClienteFactory(nombre="Marta", email="marta@correo.test")
    vacuna_que_vence(3, paciente__propietario=dueno, paciente__nombre="Nube", nombre="Leishmania")
    cita_en(5, paciente__propietario=dueno, paciente__nombre="Trufa")
    otro = vacuna_que_vence(1, paciente__propietario__email="otro@correo.test")

    summary = run()

    assert summary == "3 enviados, 0 sin canal, 0 ya enviados"
    assert sorted(m.to[0] for m in mail.outbox) == ["marta@correo.test", otro.paciente.propietario.email]
    mensaje = next(m for m in mail.outbox if m.to == ["marta@correo.test"])
    assert "Clínica Los Olmos" in mensaje.body
    assert "Nube" in mensaje.body and "Leishmania" in mensaje.body and "Trufa" in mensaje.body
    assert "Hola, Marta" in mensaje.body
    assert Recordatorio.objects.count() == 3


def test_a_second_run_sends_nothing():
    vacuna_que_vence(3, paciente__propietario__email="x@correo.test")
    run()
    mail.outbox.clear()

    assert run() == "0 enviados, 0 sin canal, 1 ya enviados"
    assert mail.outbox == []


def test_dry_run_sends_and_marks_nothing():
    vacuna_que_vence(3, paciente__propietario__email="x@correo.test")

    assert run("--dry-run") == "1 enviados, 0 sin canal, 0 ya enviados"
    assert mail.outbox == []
    assert not Recordatorio.objects.exists()


def test_owners_without_email_are_counted_not_marked():
    vacuna_que_vence(3, paciente__propietario__email="")

    assert run() == "0 enviados, 1 sin canal, 0 ya enviados"
    assert not Recordatorio.objects.exists()


def test_offsets_are_configurable():
    # beyond the default offsets (14 days, 48 hours), reached by a single one of 30 days / 60 hours
    vacuna_que_vence(20, paciente__propietario__email="x@correo.test")
    cita_en(50, paciente__propietario__email="y@correo.test")

    assert run() == "0 enviados, 0 sin canal, 0 ya enviados"
    assert run("--dias", "30", "--horas", "60") == "2 enviados, 0 sin canal, 0 ya enviados"


def test_superseded_and_dead_are_not_reminded():
    paciente = PacienteFactory(propietario__email="x@correo.test")
    VacunaFactory(paciente=paciente, nombre="Rabia", fecha_aplicacion=en_dias(-400), proxima_dosis=en_dias(3))
    VacunaFactory(paciente=paciente, nombre="Rabia", fecha_aplicacion=en_dias(-1), proxima_dosis=None)
    vacuna_que_vence(
        2, paciente__fallecido=True, paciente__fecha_fallecimiento=hoy(), paciente__propietario__email="z@c.test"
    )

    assert run() == "0 enviados, 0 sin canal, 0 ya enviados"


def test_a_failed_send_leaves_the_reminder_for_the_next_run(settings):
    settings.EMAIL_BACKEND = "recordatorios.tests.email_backends.EmailBackend"
    buena = vacuna_que_vence(2, paciente__propietario__email="ok@correo.test")
    mala = vacuna_que_vence(3, paciente__propietario__email="buzon@falla.test")

    with pytest.raises(CommandError) as error:
        run()

    # the good owner got theirs and it is marked; the failed one is not marked
    assert "no se pudieron enviar" in str(error.value)
    assert [m.to for m in mail.outbox] == [["ok@correo.test"]]
    assert list(Recordatorio.objects.values_list("vacuna", flat=True)) == [buena.id]
    # once the address works, the first retry (a minute later) sends just the one that failed
    Cliente.objects.filter(pk=mala.paciente.propietario_id).update(email="nuevo@correo.test")
    mail.outbox.clear()
    assert str(enviar_pendientes(now=timezone.now() + datetime.timedelta(minutes=1))) == (
        "1 enviados, 0 sin canal, 1 ya enviados"
    )
    assert [m.to for m in mail.outbox] == [["nuevo@correo.test"]]


# --- data that must never break the run ----------------------------------------------------------


def run_con_errores(*args):
    """(summary, stderr, exit code) of a run, also when it ends in CommandError."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("enviar_recordatorios", *args, stdout=out, stderr=err)
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return out.getvalue().strip().splitlines()[-1], err.getvalue(), code


def dueno_guardado_con(**valores):
    """An owner whose stored row holds `valores` as data saved before the validators existed does:
    written with a queryset update, which skips every validator."""
    dueno = ClienteFactory()
    Cliente.objects.filter(pk=dueno.pk).update(**valores)
    dueno.refresh_from_db()
    return dueno


class Caida(BaseException):
    """The worker dying (killed, out of memory) in the middle of a send."""


class RompeBackend(locmem.EmailBackend):
    """locmem, except that a message to an address at rompe.test fails with an error that is not
    an SMTP one, and one to an address at caida.test kills the worker mid-send."""

    def send_messages(self, messages):
        for message in messages:
            if any(to.endswith("@rompe.test") for to in message.to):
                raise UnicodeEncodeError("ascii", "ñ", 0, 1, "the server speaks ASCII only")
            if any(to.endswith("@caida.test") for to in message.to):
                raise Caida()
        return super().send_messages(messages)


def test_a_newline_in_a_stored_name_never_reaches_a_header():
    # given an owner whose stored name carries a line break and a header of its own
    dueno = dueno_guardado_con(nombre="Ana\r\nBcc: x@evil.com", email="ana@correo.test")
    vacuna_que_vence(2, paciente__propietario=dueno, paciente__nombre="Kira")

    # when the reminders are sent
    summary = run()

    # then the owner gets the reminder, its headers carry no line break and no extra recipient
    assert summary == "1 enviados, 0 sin canal, 0 ya enviados"
    [mensaje] = mail.outbox
    assert mensaje.to == ["ana@correo.test"] and mensaje.bcc == [] and mensaje.recipients() == ["ana@correo.test"]
    assert "\n" not in mensaje.subject and "\r" not in mensaje.subject
    assert "Ana Bcc: x@evil.com" in mensaje.subject
    cabeceras = mensaje.message()
    assert cabeceras["Bcc"] is None
    assert cabeceras["To"] == "ana@correo.test"
    assert Recordatorio.objects.filter(destinatario="ana@correo.test").count() == 1


def test_control_characters_in_stored_names_are_stripped_from_the_subject():
    dueno = dueno_guardado_con(nombre="Ana\x1b[31m\tSol\x7f", email="ana@correo.test")
    vacuna_que_vence(2, paciente__propietario=dueno)

    run()

    [mensaje] = mail.outbox
    assert mensaje.subject.endswith("Ana [31m Sol")


def test_a_stored_address_with_a_newline_is_not_sent_and_the_others_are(caplog):
    # given three owners due in this order: a good one, one whose stored address injects a header,
    # and another good one
    buena = vacuna_que_vence(1, paciente__propietario__email="a@correo.test")
    mala_duena = dueno_guardado_con(email="b@correo.test\nBcc: x@evil.com", nombre="Berta")
    mala = vacuna_que_vence(2, paciente__propietario=mala_duena)
    otra = vacuna_que_vence(3, paciente__propietario__email="c@correo.test")

    # when the reminders are sent
    summary, stderr, code = run_con_errores()

    # then the good owners get theirs and are marked; the bad address counts as no email (a data
    # problem for the clinic to fix, not a failure to retry every run): neither sent nor marked
    assert summary == "2 enviados, 1 sin canal, 0 ya enviados"
    assert code == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["a@correo.test", "c@correo.test"]
    assert all(m.bcc == [] for m in mail.outbox)
    assert set(Recordatorio.objects.values_list("vacuna", flat=True)) == {buena.id, otra.id}
    assert mala.id not in Recordatorio.objects.values_list("vacuna", flat=True)
    # and a warning names the owner by id, with no personal data
    [aviso] = [r for r in caplog.records if r.name == "recordatorios.services"]
    assert aviso.levelname == "WARNING"
    assert str(mala_duena.id) in aviso.getMessage()
    assert "b@correo.test" not in aviso.getMessage() and "Berta" not in aviso.getMessage()
    assert "evil" not in stderr and "b@correo.test" not in stderr


def test_an_unexpected_send_error_neither_stops_the_run_nor_marks_that_owners_reminders(settings):
    settings.EMAIL_BACKEND = "recordatorios.tests.test_recordatorios.RompeBackend"
    # given a failing owner due before a good one
    mala = vacuna_que_vence(1, paciente__propietario__email="buzon@rompe.test")
    buena = vacuna_que_vence(2, paciente__propietario__email="ok@correo.test")

    # when the reminders are sent
    summary, stderr, code = run_con_errores()

    # then the good owner got theirs, the failing owner's reminder stays pending
    assert (summary, code) == ("1 enviados, 0 sin canal, 0 ya enviados", 1)
    assert [m.to for m in mail.outbox] == [["ok@correo.test"]]
    assert list(Recordatorio.objects.values_list("vacuna", flat=True)) == [buena.id]
    assert f"cliente {mala.paciente.propietario_id}" in stderr
    # and the first retry, once the address works, picks it up again
    Cliente.objects.filter(pk=mala.paciente.propietario_id).update(email="nuevo@correo.test")
    mail.outbox.clear()
    assert str(enviar_pendientes(now=timezone.now() + datetime.timedelta(minutes=1))) == (
        "1 enviados, 0 sin canal, 1 ya enviados"
    )
    assert [m.to for m in mail.outbox] == [["nuevo@correo.test"]]


def test_a_worker_dying_mid_send_leaves_the_reminder_unmarked(settings):
    settings.EMAIL_BACKEND = "recordatorios.tests.test_recordatorios.RompeBackend"
    vacuna = vacuna_que_vence(1, paciente__propietario__email="buzon@caida.test")

    with pytest.raises(Caida):
        run()

    # marked only once the message went out: the next run sends it
    assert not Recordatorio.objects.filter(vacuna=vacuna).exists()


class LentoBackend(locmem.EmailBackend):
    """locmem taking its time, as an SMTP server does: the window in which runs overlap."""

    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_two_runs_at_once_send_each_reminder_once(settings):
    # given a due reminder, and an email server slow enough for two runs to overlap
    settings.EMAIL_BACKEND = "recordatorios.tests.test_recordatorios.LentoBackend"
    vacuna = vacuna_que_vence(2, paciente__propietario__email="x@correo.test")
    barrier = threading.Barrier(2)
    resumenes = []

    def worker():
        try:
            barrier.wait()
            resumenes.append(enviar_pendientes())
        finally:
            connection.close()

    # when two runs start together
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then one sends it and the other, having waited for the first one's marks, does not
    assert [m.to for m in mail.outbox] == [["x@correo.test"]]
    assert sorted((r.enviados, r.ya_enviados, len(r.fallidos)) for r in resumenes) == [(0, 1, 0), (1, 0, 0)]
    assert Recordatorio.objects.filter(vacuna=vacuna).count() == 1


def test_an_smtp_connection_never_blocks_a_send_for_ever():
    from django.core.mail import get_connection

    connection = get_connection("django.core.mail.backends.smtp.EmailBackend")

    assert connection.timeout == 30


def test_an_owner_reachable_only_by_a_channel_that_is_off_counts_sin_canal(settings):
    settings.SMS_URL = ""
    vacuna_que_vence(
        3,
        paciente__propietario__acepta_email=False,
        paciente__propietario__acepta_sms=True,
        paciente__propietario__movil="+34600111222",
    )

    assert run() == "0 enviados, 1 sin canal, 0 ya enviados"
    assert not Mensaje.objects.exists()


def test_the_command_sends_by_sms_on_the_console_backend(settings, capsys):
    settings.SMS_URL = "console://"
    # no quiet hours (an empty span), whatever the time the test runs at
    settings.HORA_SILENCIO_DESDE = settings.HORA_SILENCIO_HASTA = "00:00"
    vacuna_que_vence(
        3,
        paciente__propietario__canal_preferido="sms",
        paciente__propietario__acepta_sms=True,
        paciente__propietario__movil="+34600111222",
        paciente__nombre="Nube",
    )

    summary = run("--dias", "3")

    assert summary == "1 enviados, 0 sin canal, 0 ya enviados"
    mensaje = Mensaje.objects.get()
    assert (mensaje.canal, mensaje.destinatario, mensaje.offset, mensaje.estado) == (
        "sms",
        "+34600111222",
        3,
        "enviado",
    )
    assert "[sms] +34600111222" in capsys.readouterr().out
    assert mail.outbox == []
