"""The clinical record in the admin: the patient's page panels, and consultas written through the services."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from historial.models import Consulta
from historial.tests.factories import ConsultaFactory, VacunaFactory
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_web(client, admin_user):
    client.force_login(admin_user)
    return client


def test_change_page_shows_owner_weights_due_vacunas_and_latest_consultas(admin_web):
    paciente = PacienteFactory(propietario__nombre="Irene", propietario__telefono="+34 611 222 333")
    hoy = timezone.localdate()
    for dias, peso in ((90, "11.20"), (30, "12.40")):
        ConsultaFactory(paciente=paciente, fecha=timezone.now() - datetime.timedelta(days=dias), peso_kg=peso)
    ConsultaFactory(paciente=paciente, motivo="Otitis", diagnostico="Otitis externa")
    VacunaFactory(paciente=paciente, nombre="Leishmania", proxima_dosis=hoy - datetime.timedelta(days=3))
    antigua = VacunaFactory(
        paciente=paciente,
        nombre="Rabia",
        fecha_aplicacion=hoy - datetime.timedelta(days=400),
        proxima_dosis=hoy - datetime.timedelta(days=35),
    )
    VacunaFactory(paciente=paciente, nombre="rabia", fecha_aplicacion=hoy - datetime.timedelta(days=20))

    response = admin_web.get(reverse("admin:pacientes_paciente_change", args=[paciente.id]))

    html = response.content.decode()
    assert "Irene" in html and "+34 611 222 333" in html
    assert reverse("admin:clientes_cliente_change", args=[paciente.propietario_id]) in html
    assert "11.20 kg" in html and "12.40 kg" in html
    assert "Leishmania" in html and "vencida" in html
    assert antigua.proxima_dosis.strftime("%d/%m/%Y") not in html  # superseded by the later dose
    assert "Otitis externa" in html


def test_change_page_query_count_does_not_grow_with_the_record(admin_web, django_assert_max_num_queries):
    paciente = PacienteFactory()
    ConsultaFactory(paciente=paciente, peso_kg="10")
    VacunaFactory(paciente=paciente)
    with django_assert_max_num_queries(40) as few:
        admin_web.get(reverse("admin:pacientes_paciente_change", args=[paciente.id]))
    ConsultaFactory.create_batch(15, paciente=paciente, peso_kg="11")
    VacunaFactory.create_batch(10, paciente=paciente)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_web.get(reverse("admin:pacientes_paciente_change", args=[paciente.id]))

    assert response.status_code == 200


def test_vet_records_a_consulta_as_themselves_and_the_weight_follows(client, veterinario):
    paciente = PacienteFactory(peso_kg=None)
    client.force_login(veterinario)
    ahora = timezone.localtime()

    response = client.post(
        reverse("admin:historial_consulta_add"),
        {
            "paciente": paciente.id,
            "fecha_0": ahora.strftime("%Y-%m-%d"),
            "fecha_1": ahora.strftime("%H:%M:%S"),
            "motivo": "Vómitos",
            "peso_kg": "8.30",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    consulta = Consulta.objects.get()
    assert consulta.veterinario == veterinario
    paciente.refresh_from_db()
    assert str(paciente.peso_kg) == "8.30"


def test_receptionist_cannot_add_a_consulta(client, recepcionista):
    client.force_login(recepcionista)

    response = client.post(reverse("admin:historial_consulta_add"), {"paciente": PacienteFactory().id, "motivo": "x"})

    assert response.status_code == 403
    assert not Consulta.objects.exists()


def test_deleting_consultas_in_the_admin_goes_through_the_service_and_the_weight_follows(admin_web):
    # given a paciente weighed at 10 kg a week ago and 12 kg yesterday
    paciente = PacienteFactory(peso_kg="12.00")
    ahora = timezone.now()
    ConsultaFactory(paciente=paciente, peso_kg="10.00", fecha=ahora - datetime.timedelta(days=7))
    ultima = ConsultaFactory(paciente=paciente, peso_kg="12.00", fecha=ahora - datetime.timedelta(days=1))

    # when the newest consulta is deleted from its admin page
    response = admin_web.post(reverse("admin:historial_consulta_delete", args=[ultima.id]), {"post": "yes"})

    # then the paciente's weight is the one of the consulta that remains
    assert response.status_code == 302
    paciente.refresh_from_db()
    assert str(paciente.peso_kg) == "10.00"


def test_bulk_deleting_consultas_in_the_admin_keeps_the_weight_in_step(admin_web):
    paciente = PacienteFactory(peso_kg="12.00")
    ahora = timezone.now()
    ConsultaFactory(paciente=paciente, peso_kg="10.00", fecha=ahora - datetime.timedelta(days=7))
    recientes = [
        ConsultaFactory(paciente=paciente, peso_kg=peso, fecha=ahora - datetime.timedelta(days=d))
        for peso, d in (("11.00", 3), ("12.00", 1))
    ]

    response = admin_web.post(
        reverse("admin:historial_consulta_changelist"),
        {"action": "delete_selected", "_selected_action": [c.id for c in recientes], "post": "yes"},
    )

    assert response.status_code == 302
    assert Consulta.objects.filter(paciente=paciente).count() == 1
    paciente.refresh_from_db()
    assert str(paciente.peso_kg) == "10.00"
