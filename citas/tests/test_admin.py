import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import VeterinarioFactory
from citas.models import Bloqueo, Cita, EstadoCita
from citas.tests.factories import CitaFactory, manana_a_las
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:citas_cita_changelist"


@pytest.fixture
def admin_web(client, admin_user):
    client.force_login(admin_user)
    return client


def form_data(cita, inicio, minutos=30):
    local = timezone.localtime(inicio)
    fin = timezone.localtime(inicio + datetime.timedelta(minutes=minutos))
    return {
        "veterinario": cita.veterinario_id,
        "inicio_0": local.strftime("%Y-%m-%d"),
        "inicio_1": local.strftime("%H:%M:%S"),
        "fin_0": fin.strftime("%Y-%m-%d"),
        "fin_1": fin.strftime("%H:%M:%S"),
        "motivo": cita.motivo,
        "notas": "",
    }


@pytest.mark.parametrize("rows", [1, 30])
def test_changelist_runs_constant_queries(admin_web, django_assert_max_num_queries, rows):
    CitaFactory.create_batch(rows)

    with django_assert_max_num_queries(10):
        response = admin_web.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows


def test_changelist_searches_by_owner_phone(admin_web):
    buscada = CitaFactory(paciente__propietario__telefono="+34 699 123 456")
    CitaFactory()

    response = admin_web.get(reverse(CHANGELIST), {"q": "699 123 456"})

    assert [c.id for c in response.context["cl"].result_list] == [buscada.id]


def test_admin_action_goes_through_the_state_machine_and_reports_refusals(admin_web):
    programada = CitaFactory()
    completada = CitaFactory(estado=EstadoCita.COMPLETADA)

    response = admin_web.post(
        reverse(CHANGELIST),
        {"action": "accion_confirmar", "_selected_action": [programada.id, completada.id]},
        follow=True,
    )

    assert response.status_code == 200
    programada.refresh_from_db()
    completada.refresh_from_db()
    assert programada.estado == EstadoCita.CONFIRMADA
    assert completada.estado == EstadoCita.COMPLETADA
    assert len(list(response.context["messages"])) == 2  # one success, one refusal


def test_rescheduling_onto_another_cita_is_a_form_error(admin_web):
    ocupada = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(10, 30))
    cita = CitaFactory(veterinario=ocupada.veterinario, inicio=manana_a_las(12), fin=manana_a_las(12, 30))

    response = admin_web.post(reverse("admin:citas_cita_change", args=[cita.id]), form_data(cita, ocupada.inicio))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    cita.refresh_from_db()
    assert cita.inicio == manana_a_las(12)


def test_rescheduling_a_cita_of_a_dead_paciente_is_a_form_error_not_a_crash(admin_web):
    cita = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(10, 30))
    paciente = cita.paciente
    paciente.fallecido, paciente.fecha_fallecimiento = True, timezone.localdate()
    paciente.save()

    response = admin_web.post(reverse("admin:citas_cita_change", args=[cita.id]), form_data(cita, manana_a_las(11)))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    cita.refresh_from_db()
    assert cita.inicio == manana_a_las(10)


def test_admin_add_books_through_the_service(admin_web, admin_user):
    paciente, veterinario = PacienteFactory(), VeterinarioFactory()
    data = {
        **form_data(Cita(veterinario=veterinario, motivo="Vacunación"), manana_a_las(16)),
        "paciente": paciente.id,
    }

    response = admin_web.post(reverse("admin:citas_cita_add"), data)

    assert response.status_code == 302
    cita = Cita.objects.get()
    assert (cita.paciente, cita.veterinario, cita.creado_por) == (paciente, veterinario, admin_user)
    assert cita.inicio == manana_a_las(16)
    assert cita.estado == EstadoCita.PROGRAMADA


# --- the day's agenda -------------------------------------------------------------------------

AGENDA = "admin:citas_cita_agenda"


def hoy_a_las(hora, minuto=0):
    return datetime.datetime.combine(
        timezone.localdate(), datetime.time(hora, minuto), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def recepcion_web(client, recepcionista):
    client.force_login(recepcionista)
    return client


def test_agenda_shows_todays_citas_per_vet_in_time_order(recepcion_web):
    ana, luis = VeterinarioFactory(nombre="Ana", apellidos="Abad"), VeterinarioFactory(nombre="Luis", apellidos="Lara")
    tarde = CitaFactory(veterinario=ana, inicio=hoy_a_las(17), fin=hoy_a_las(17, 30))
    pronto = CitaFactory(veterinario=ana, inicio=hoy_a_las(9), fin=hoy_a_las(9, 30))
    de_luis = CitaFactory(veterinario=luis, inicio=hoy_a_las(12), fin=hoy_a_las(12, 30))
    CitaFactory(veterinario=ana, inicio=manana_a_las(9), fin=manana_a_las(9, 30))

    response = recepcion_web.get(reverse(AGENDA))

    assert response.status_code == 200
    agenda = response.context["agenda"]
    assert [g.veterinario for g in agenda] == [ana, luis]
    assert [c.id for c in agenda[0].citas] == [pronto.id, tarde.id]
    assert [c.id for c in agenda[1].citas] == [de_luis.id]


def test_agenda_of_another_day_by_query_parameter(recepcion_web):
    manana = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(10, 30))

    response = recepcion_web.get(reverse(AGENDA), {"fecha": manana_a_las(10).date().isoformat()})

    assert [c.id for g in response.context["agenda"] for c in g.citas] == [manana.id]


def test_agenda_offers_only_the_actions_the_state_machine_allows(recepcion_web):
    programada = CitaFactory(inicio=hoy_a_las(9), fin=hoy_a_las(9, 30))
    en_curso = CitaFactory(inicio=hoy_a_las(10), fin=hoy_a_las(10, 30), estado=EstadoCita.EN_CURSO)
    completada = CitaFactory(inicio=hoy_a_las(11), fin=hoy_a_las(11, 30), estado=EstadoCita.COMPLETADA)

    response = recepcion_web.get(reverse(AGENDA))

    acciones = {c.id: [a for a, _label in c.acciones] for g in response.context["agenda"] for c in g.citas}
    assert acciones[programada.id] == ["confirmar", "iniciar", "no-asistio", "cancelar"]
    assert acciones[en_curso.id] == ["completar"]
    assert acciones[completada.id] == []


def test_agenda_runs_a_constant_number_of_queries(recepcion_web, django_assert_max_num_queries):
    for hora in range(8, 20):
        CitaFactory(inicio=hoy_a_las(hora), fin=hoy_a_las(hora, 30))

    with django_assert_max_num_queries(8):
        response = recepcion_web.get(reverse(AGENDA))

    assert response.context["total"] == 12


def test_agenda_button_moves_the_cita_through_the_state_machine(recepcion_web, recepcionista):
    cita = CitaFactory(inicio=hoy_a_las(18), fin=hoy_a_las(18, 30))

    response = recepcion_web.post(reverse("admin:citas_cita_transition", args=[cita.id, "confirmar"]))

    assert response.status_code == 302
    assert response["Location"] == reverse(AGENDA)
    cita.refresh_from_db()
    assert cita.estado == EstadoCita.CONFIRMADA
    assert cita.history.first().history_user == recepcionista


def test_agenda_button_for_an_illegal_transition_changes_nothing_and_says_why(recepcion_web):
    cita = CitaFactory(inicio=hoy_a_las(9), fin=hoy_a_las(9, 30), estado=EstadoCita.CANCELADA)

    response = recepcion_web.post(reverse("admin:citas_cita_transition", args=[cita.id, "confirmar"]), follow=True)

    cita.refresh_from_db()
    assert cita.estado == EstadoCita.CANCELADA
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]


def test_agenda_transition_needs_a_post(recepcion_web):
    cita = CitaFactory()

    assert recepcion_web.get(reverse("admin:citas_cita_transition", args=[cita.id, "confirmar"])).status_code == 403


def test_agenda_is_closed_to_cliente_users(client, cliente_user):
    client.force_login(cliente_user)

    response = client.get(reverse(AGENDA))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_cancel_action_reports_which_citas_could_not_be_cancelled(admin_web):
    programada = CitaFactory()
    completada = CitaFactory(estado=EstadoCita.COMPLETADA)

    response = admin_web.post(
        reverse(CHANGELIST),
        {"action": "accion_cancelar", "_selected_action": [programada.id, completada.id]},
        follow=True,
    )

    programada.refresh_from_db()
    assert programada.estado == EstadoCita.CANCELADA
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert str(completada) in warnings[0]


# --- bloqueos and horarios go through the services -------------------------------------------


def test_a_bloqueo_over_an_active_cita_is_a_form_error(admin_web):
    cita = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(10, 30))
    desde, hasta = timezone.localtime(manana_a_las(9)), timezone.localtime(manana_a_las(12))

    response = admin_web.post(
        reverse("admin:citas_bloqueo_add"),
        {
            "veterinario": cita.veterinario_id,
            "inicio_0": desde.strftime("%Y-%m-%d"),
            "inicio_1": desde.strftime("%H:%M:%S"),
            "fin_0": hasta.strftime("%Y-%m-%d"),
            "fin_1": hasta.strftime("%H:%M:%S"),
            "motivo": "Congreso",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not Bloqueo.objects.exists()


def test_a_vet_books_bloqueos_only_for_themselves(client, veterinario):
    otro = VeterinarioFactory()
    client.force_login(veterinario)

    response = client.get(reverse("admin:citas_bloqueo_add"))

    choices = list(response.context["adminform"].form.fields["veterinario"].queryset)
    assert choices == [veterinario]
    assert otro not in choices


@pytest.mark.parametrize(
    "fecha", ["0001-01-01", "1799-12-31", "3000-01-01", "9999-12-30", "9999-12-31", "2026-02-30", "mañana"]
)
def test_agenda_of_an_impossible_or_extreme_day_shows_today(recepcion_web, fecha):
    response = recepcion_web.get(reverse("admin:citas_cita_agenda"), {"fecha": fecha})

    assert response.status_code == 200
    assert response.context["dia"] == timezone.localdate()
