import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import VeterinarioFactory
from citas.models import Cita, EstadoCita
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
