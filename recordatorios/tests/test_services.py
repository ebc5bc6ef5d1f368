"""recordatorios.services, called directly: `enviar_recordatorios` sends one email per owner with
what falls due in its windows, marks each reminder once, and only once it went out; owners without
a usable address are counted, failures are reported per owner and retried by the next run.
(test_recordatorios.py drives the same function through the command and the API.)"""

import datetime
import logging

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from accounts.tests.factories import VeterinarioFactory
from citas.models import EstadoCita
from citas.tests.factories import CitaFactory
from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from historial import services as historial_services
from historial.tests.factories import ConsultaFactory, VacunaFactory
from pacientes.tests.factories import PacienteFactory
from recordatorios.models import EstadoMensaje, Mensaje, Recordatorio, TipoRecordatorio
from recordatorios.services import email_utilizable, enviar_pendientes
from recordatorios.tests.factories import MensajeFactory
from sedes.tests.factories import SedeFactory, sede_principal

pytestmark = pytest.mark.django_db


@pytest.fixture
def ahora():
    return timezone.now()


def dia(ahora, n):
    return timezone.localdate(ahora) + datetime.timedelta(days=n)


def vacuna_que_vence(ahora, dias, **kwargs):
    return VacunaFactory(fecha_aplicacion=dia(ahora, -300), proxima_dosis=dia(ahora, dias), **kwargs)


def cita_en(ahora, horas, **kwargs):
    inicio = ahora + datetime.timedelta(hours=horas)
    return CitaFactory(inicio=inicio, fin=inicio + datetime.timedelta(minutes=30), **kwargs)


def marcados():
    return set(Recordatorio.objects.values_list("tipo", "vacuna", "cita"))


def dueno_guardado_con(**valores):
    """An owner whose stored row holds `valores` as rows saved before the validators did."""
    dueno = ClienteFactory()
    Cliente.objects.filter(pk=dueno.pk).update(**valores)
    dueno.refresh_from_db()
    return dueno


class NadaEnviadoBackend(locmem.EmailBackend):
    """A backend that reports it sent nothing (what a `fail_silently` SMTP backend answers)."""

    def send_messages(self, messages):
        return 0


# --- what is sent, and to whom --------------------------------------------------------------------


def test_each_owner_gets_one_email_with_all_their_pending_items(ahora):
    marta = ClienteFactory(email="marta@correo.test")
    vacuna_que_vence(ahora, 3, paciente__propietario=marta, paciente__nombre="Nube")
    cita_en(ahora, 5, paciente__propietario=marta, paciente__nombre="Trufa")
    vacuna_que_vence(ahora, 1, paciente__propietario__email="otro@correo.test")

    resumen = enviar_pendientes(now=ahora)

    assert (resumen.enviados, resumen.sin_canal, resumen.ya_enviados, resumen.fallidos) == (3, 0, 0, [])
    assert sorted(m.to for m in mail.outbox) == [["marta@correo.test"], ["otro@correo.test"]]
    [para_marta] = [m for m in mail.outbox if m.to == ["marta@correo.test"]]
    assert "Nube" in para_marta.body and "Trufa" in para_marta.body


def test_the_email_names_the_sede_the_clinic_the_owner_and_each_item(ahora, settings):
    settings.CLINIC_NAME = "Clínica Los Olmos"
    dueno = ClienteFactory(nombre="Marta", email="marta@correo.test")
    vacuna = vacuna_que_vence(ahora, 3, paciente__propietario=dueno, paciente__nombre="Nube", nombre="Leishmania")

    enviar_pendientes(now=ahora)

    [mensaje] = mail.outbox
    assert mensaje.to == ["marta@correo.test"]
    # the built-in template's subject names the sede (the default one: Clínica Veterinaria)
    assert mensaje.subject == f"{sede_principal().nombre}: recordatorio para Marta"
    assert "Hola, Marta:" in mensaje.body
    assert "Le recordamos desde Clínica Los Olmos:" in mensaje.body
    assert (
        f"- Nube: vacuna «Leishmania», próxima dosis el {vacuna.proxima_dosis:%d/%m/%Y} en Clínica Veterinaria."
        in mensaje.body
    )


def test_a_cita_is_reminded_in_its_sedes_local_time_with_its_name_and_phone(ahora):
    canarias = SedeFactory(nombre="VetClinic Las Palmas", zona_horaria="Atlantic/Canary", telefono="+34928000001")
    vet = VeterinarioFactory(sedes=[canarias])
    dueno = ClienteFactory(email="marta@correo.test")
    cita = cita_en(ahora, 3, paciente__propietario=dueno, paciente__nombre="Trufa", sede=canarias, veterinario=vet)

    enviar_pendientes(now=ahora)

    [mensaje] = mail.outbox
    local = timezone.localtime(cita.inicio, canarias.zona)
    assert f"cita el {local:%d/%m/%Y a las %H:%M}" in mensaje.body
    assert "en VetClinic Las Palmas (tel. +34928000001)" in mensaje.body


def test_a_dose_is_reminded_from_the_sede_of_the_latest_consulta(ahora):
    canarias = SedeFactory(nombre="VetClinic Las Palmas", zona_horaria="Atlantic/Canary")
    vacuna = vacuna_que_vence(ahora, 3, paciente__propietario__email="marta@correo.test")
    ConsultaFactory(paciente=vacuna.paciente, sede=sede_principal(), fecha=ahora - datetime.timedelta(days=90))
    ConsultaFactory(paciente=vacuna.paciente, sede=canarias, fecha=ahora - datetime.timedelta(days=9))

    enviar_pendientes(now=ahora)

    assert f"en VetClinic Las Palmas (tel. {canarias.telefono})." in mail.outbox[0].body


def test_each_sent_item_is_marked_with_the_address_and_the_time_of_the_run(ahora):
    dueno = ClienteFactory(email="marta@correo.test")
    vacuna = vacuna_que_vence(ahora, 3, paciente__propietario=dueno)
    cita = cita_en(ahora, 2, paciente__propietario=dueno)

    enviar_pendientes(now=ahora)

    assert marcados() == {(TipoRecordatorio.VACUNA, vacuna.pk, None), (TipoRecordatorio.CITA, None, cita.pk)}
    assert set(Recordatorio.objects.values_list("destinatario", "enviado_en")) == {("marta@correo.test", ahora)}


def test_an_item_already_reminded_for_its_offset_is_counted_and_not_sent_again(ahora):
    vacuna = vacuna_que_vence(ahora, 3, paciente__propietario__email="x@correo.test")
    MensajeFactory(vacuna=vacuna, canal="email", offset=3, estado=EstadoMensaje.ENVIADO)

    resumen = enviar_pendientes(now=ahora)

    assert (resumen.enviados, resumen.ya_enviados) == (0, 1)
    assert mail.outbox == []
    assert Mensaje.objects.count() == 1


def test_a_second_run_sends_nothing(ahora):
    vacuna_que_vence(ahora, 3, paciente__propietario__email="x@correo.test")
    enviar_pendientes(now=ahora)
    mail.outbox.clear()

    resumen = enviar_pendientes(now=ahora)

    assert (resumen.enviados, resumen.ya_enviados) == (0, 1)
    assert mail.outbox == []


def test_a_dry_run_counts_but_neither_sends_nor_marks(ahora):
    vacuna_que_vence(ahora, 3, paciente__propietario__email="x@correo.test")

    resumen = enviar_pendientes(now=ahora, dry_run=True)

    assert resumen.enviados == 1
    assert mail.outbox == []
    assert not Recordatorio.objects.exists()


# --- the windows --------------------------------------------------------------------------------------


def test_vaccine_doses_due_from_today_to_today_plus_dias_are_reminded(ahora):
    dentro = {vacuna_que_vence(ahora, n, paciente__propietario__email=f"d{n}@correo.test").pk for n in (0, 7)}
    vacuna_que_vence(ahora, -1, paciente__propietario__email="ayer@correo.test")
    vacuna_que_vence(ahora, 8, paciente__propietario__email="tarde@correo.test")

    resumen = enviar_pendientes(now=ahora, dias=7)

    assert resumen.enviados == 2
    assert set(Recordatorio.objects.values_list("vacuna", flat=True)) == dentro


def test_citas_starting_from_now_to_now_plus_horas_are_reminded(ahora):
    dentro = cita_en(ahora, 47, paciente__propietario__email="dentro@correo.test")
    cita_en(ahora, -1, paciente__propietario__email="pasada@correo.test")
    cita_en(ahora, 48, paciente__propietario__email="justo@correo.test")  # the window is half-open

    resumen = enviar_pendientes(now=ahora, horas=48)

    assert resumen.enviados == 1
    assert list(Recordatorio.objects.values_list("cita", flat=True)) == [dentro.pk]


def test_the_default_windows_are_the_largest_offsets_14_days_and_48_hours(ahora):
    vacuna_que_vence(ahora, 14, paciente__propietario__email="a@correo.test")
    vacuna_que_vence(ahora, 15, paciente__propietario__email="b@correo.test")
    cita_en(ahora, 47, paciente__propietario__email="c@correo.test")
    cita_en(ahora, 49, paciente__propietario__email="d@correo.test")

    resumen = enviar_pendientes(now=ahora)

    assert resumen.enviados == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["a@correo.test", "c@correo.test"]


@pytest.mark.parametrize("estado", [EstadoCita.CANCELADA, EstadoCita.NO_ASISTIO, EstadoCita.COMPLETADA])
def test_citas_no_longer_active_are_not_reminded(ahora, estado):
    cita_en(ahora, 2, estado=estado, paciente__propietario__email="x@correo.test")

    resumen = enviar_pendientes(now=ahora)

    assert resumen.enviados == 0
    assert mail.outbox == []


def test_a_dose_replaced_by_a_later_application_is_not_reminded(ahora):
    paciente = PacienteFactory(propietario__email="x@correo.test")
    VacunaFactory(paciente=paciente, nombre="Rabia", fecha_aplicacion=dia(ahora, -400), proxima_dosis=dia(ahora, 3))
    VacunaFactory(paciente=paciente, nombre="rabia", fecha_aplicacion=dia(ahora, -1), proxima_dosis=None)

    assert enviar_pendientes(now=ahora).enviados == 0


# --- owners without a usable address ------------------------------------------------------------------


def test_an_owner_without_email_is_counted_and_not_marked(ahora):
    vacuna_que_vence(ahora, 3, paciente__propietario__email="")

    resumen = enviar_pendientes(now=ahora)

    assert (resumen.enviados, resumen.sin_canal) == (0, 1)
    assert mail.outbox == []
    assert not Recordatorio.objects.exists()


def test_an_unusable_stored_address_counts_as_no_email_and_is_logged_by_id_only(ahora, caplog):
    dueno = dueno_guardado_con(email="b@correo.test\nBcc: x@evil.test", nombre="Berta")
    vacuna_que_vence(ahora, 3, paciente__propietario=dueno)

    with caplog.at_level(logging.WARNING, logger="recordatorios.services"):
        resumen = enviar_pendientes(now=ahora)

    assert (resumen.enviados, resumen.sin_canal, resumen.fallidos) == (0, 1, [])
    assert mail.outbox == []
    assert not Recordatorio.objects.exists()
    [aviso] = [r.getMessage() for r in caplog.records if r.name == "recordatorios.services"]
    assert str(dueno.pk) in aviso
    assert "correo.test" not in aviso and "Berta" not in aviso


@pytest.mark.parametrize(
    ("address", "usable"),
    [
        ("ana@correo.test", True),
        ("", False),
        (None, False),
        ("no-es-un-email", False),
        ("ana@correo.test\r\nBcc: x@evil.test", False),
        ("ana\x00@correo.test", False),
    ],
)
def test_email_utilizable(address, usable):
    assert email_utilizable(address) is usable


# --- failures -----------------------------------------------------------------------------------------


def test_a_refused_send_is_reported_by_owner_leaves_it_unmarked_and_the_others_go_out(ahora, settings):
    settings.EMAIL_BACKEND = "recordatorios.tests.email_backends.EmailBackend"
    mala = vacuna_que_vence(ahora, 1, paciente__propietario__email="buzon@falla.test")
    buena = vacuna_que_vence(ahora, 2, paciente__propietario__email="ok@correo.test")

    resumen = enviar_pendientes(now=ahora)

    assert resumen.enviados == 1
    assert [(f.cliente, f.motivo) for f in resumen.fallidos] == [
        (mala.paciente.propietario_id, "SMTPRecipientsRefused")
    ]
    assert [m.to for m in mail.outbox] == [["ok@correo.test"]]
    assert list(Recordatorio.objects.values_list("vacuna", flat=True)) == [buena.pk]


def test_a_backend_that_sent_nothing_is_a_failure_and_marks_nothing(ahora, settings):
    settings.EMAIL_BACKEND = "recordatorios.tests.test_services.NadaEnviadoBackend"
    vacuna = vacuna_que_vence(ahora, 1, paciente__propietario__email="x@correo.test")

    resumen = enviar_pendientes(now=ahora)

    assert resumen.enviados == 0
    assert [(f.cliente, f.motivo) for f in resumen.fallidos] == [(vacuna.paciente.propietario_id, "EnvioFallido")]
    assert not Recordatorio.objects.exists()


def test_a_failed_owner_is_picked_up_by_the_next_run(ahora, settings):
    settings.EMAIL_BACKEND = "recordatorios.tests.email_backends.EmailBackend"
    vacuna = vacuna_que_vence(ahora, 1, paciente__propietario__email="buzon@falla.test")
    enviar_pendientes(now=ahora)
    Cliente.objects.filter(pk=vacuna.paciente.propietario_id).update(email="nuevo@correo.test")

    # the first retry is due a minute later
    resumen = enviar_pendientes(now=ahora + datetime.timedelta(minutes=1))

    assert (resumen.enviados, resumen.fallidos) == (1, [])
    assert [m.to for m in mail.outbox] == [["nuevo@correo.test"]]


def test_items_marked_by_a_concurrent_run_meanwhile_are_not_sent_again(ahora):
    # given a run that reads an owner's pending reminder, and another run that marks it before
    # this one gets to send (played here by the progress hook, which runs between the two)
    vacuna = vacuna_que_vence(ahora, 2, paciente__propietario__email="x@correo.test")

    def otra_ejecucion_los_marca(pendientes):
        for (cliente, destino), grupo in pendientes:
            for pendiente in grupo:
                MensajeFactory(
                    vacuna=pendiente.item,
                    canal=destino.canal,
                    offset=pendiente.offset,
                    destinatario=destino.destinatario,
                    estado=EstadoMensaje.ENVIADO,
                )
            yield (cliente, destino), grupo

    # when this run goes on to send
    resumen = enviar_pendientes(now=ahora, progreso=otra_ejecucion_los_marca)

    # then it sends nothing and counts the reminder as already sent
    assert (resumen.enviados, resumen.ya_enviados, resumen.fallidos) == (0, 1, [])
    assert mail.outbox == []
    assert Mensaje.objects.filter(vacuna=vacuna).count() == 1


def test_the_progress_hook_sees_each_owner_once(ahora):
    dueno = ClienteFactory(email="marta@correo.test")
    vacuna_que_vence(ahora, 3, paciente__propietario=dueno)
    cita_en(ahora, 3, paciente__propietario=dueno)
    vistos = []

    def progreso(pendientes):
        for (cliente, destino), grupo in pendientes:
            vistos.append((cliente.pk, len(grupo)))
            yield (cliente, destino), grupo

    enviar_pendientes(now=ahora, progreso=progreso)

    assert vistos == [(dueno.pk, 2)]


# --- what deleting a reminded item does ----------------------------------------------------------------


def test_deleting_a_reminded_vacuna_takes_its_mark_along(ahora):
    vacuna = vacuna_que_vence(ahora, 3, paciente__propietario__email="x@correo.test")
    enviar_pendientes(now=ahora)

    historial_services.vacuna_delete(actor=None, vacuna=vacuna)

    assert not Recordatorio.objects.exists()
