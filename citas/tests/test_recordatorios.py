import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Rol
from citas.models import EstadoCita, Recordatorio
from citas.tests.factories import CitaFactory
from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from pacientes.tests.factories import PacienteFactory, VacunaFactory

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
        "enviado_en": None,
    }


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
    Recordatorio.objects.create(tipo="vacuna", vacuna=enviada, email="a@b.test")

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

    with django_assert_max_num_queries(3):
        response = recepcion.get(URL, {"page_size": page_size})

    assert response.json()["count"] == 60
    assert len(response.json()["results"]) == page_size


# --- enviar_recordatorios ------------------------------------------------------------------


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("enviar_recordatorios", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_one_email_per_owner_grouping_their_items(settings):
    settings.CLINIC_NAME = "Clínica Los Olmos"
    dueno = ClienteFactory(nombre="Marta", email="marta@correo.test")
    vacuna_que_vence(3, paciente__propietario=dueno, paciente__nombre="Nube", nombre="Leishmania")
    cita_en(5, paciente__propietario=dueno, paciente__nombre="Trufa")
    otro = vacuna_que_vence(1, paciente__propietario__email="otro@correo.test")

    summary = run()

    assert summary == "3 enviados, 0 sin email, 0 ya enviados"
    assert sorted(m.to[0] for m in mail.outbox) == ["marta@correo.test", otro.paciente.propietario.email]
    mensaje = next(m for m in mail.outbox if m.to == ["marta@correo.test"])
    assert "Clínica Los Olmos" in mensaje.subject
    assert "Nube" in mensaje.body and "Leishmania" in mensaje.body and "Trufa" in mensaje.body
    assert "Hola, Marta" in mensaje.body
    assert Recordatorio.objects.count() == 3


def test_a_second_run_sends_nothing():
    vacuna_que_vence(3, paciente__propietario__email="x@correo.test")
    run()
    mail.outbox.clear()

    assert run() == "0 enviados, 0 sin email, 1 ya enviados"
    assert mail.outbox == []


def test_dry_run_sends_and_marks_nothing():
    vacuna_que_vence(3, paciente__propietario__email="x@correo.test")

    assert run("--dry-run") == "1 enviados, 0 sin email, 0 ya enviados"
    assert mail.outbox == []
    assert not Recordatorio.objects.exists()


def test_owners_without_email_are_counted_not_marked():
    vacuna_que_vence(3, paciente__propietario__email="")

    assert run() == "0 enviados, 1 sin email, 0 ya enviados"
    assert not Recordatorio.objects.exists()


def test_windows_are_configurable():
    vacuna_que_vence(20, paciente__propietario__email="x@correo.test")
    cita_en(30, paciente__propietario__email="y@correo.test")

    assert run() == "0 enviados, 0 sin email, 0 ya enviados"
    assert run("--dias", "30", "--horas", "48") == "2 enviados, 0 sin email, 0 ya enviados"


def test_superseded_and_dead_are_not_reminded():
    paciente = PacienteFactory(propietario__email="x@correo.test")
    VacunaFactory(paciente=paciente, nombre="Rabia", fecha_aplicacion=en_dias(-400), proxima_dosis=en_dias(3))
    VacunaFactory(paciente=paciente, nombre="Rabia", fecha_aplicacion=en_dias(-1), proxima_dosis=None)
    vacuna_que_vence(
        2, paciente__fallecido=True, paciente__fecha_fallecimiento=hoy(), paciente__propietario__email="z@c.test"
    )

    assert run() == "0 enviados, 0 sin email, 0 ya enviados"


def test_a_failed_send_leaves_the_reminder_for_the_next_run(settings):
    settings.EMAIL_BACKEND = "citas.tests.email_backends.EmailBackend"
    buena = vacuna_que_vence(2, paciente__propietario__email="ok@correo.test")
    mala = vacuna_que_vence(3, paciente__propietario__email="buzon@falla.test")

    with pytest.raises(CommandError) as error:
        run()

    # the good owner got theirs and it is marked; the failed one is not marked
    assert "no se pudieron enviar" in str(error.value)
    assert [m.to for m in mail.outbox] == [["ok@correo.test"]]
    assert list(Recordatorio.objects.values_list("vacuna", flat=True)) == [buena.id]
    # once the address works, the next run sends just the one that failed
    Cliente.objects.filter(pk=mala.paciente.propietario_id).update(email="nuevo@correo.test")
    mail.outbox.clear()
    assert run() == "1 enviados, 0 sin email, 1 ya enviados"
    assert [m.to for m in mail.outbox] == [["nuevo@correo.test"]]
