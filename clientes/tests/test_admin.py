import pytest
from django.urls import reverse

from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_web(client, admin_user):
    client.force_login(admin_user)
    return client


def test_changelist_shows_owner_phone_and_number_of_pets(admin_web, django_assert_max_num_queries):
    for cliente in ClienteFactory.create_batch(30):
        PacienteFactory.create_batch(2, propietario=cliente)
    elena = ClienteFactory(apellidos="Zzyzxquorum", telefono="+34 622 000 111")
    PacienteFactory.create_batch(3, propietario=elena)

    with django_assert_max_num_queries(8):
        response = admin_web.get(reverse("admin:clientes_cliente_changelist"), {"q": "Zzyzxquorum"})

    assert response.status_code == 200
    rows = response.context["cl"].result_list
    assert [c.id for c in rows] == [elena.id]
    assert rows[0]._num_pacientes == 3
    assert "+34 622 000 111" in response.content.decode()


def test_change_page_has_the_pacientes_inline(admin_web):
    cliente = ClienteFactory()
    paciente = PacienteFactory(propietario=cliente, nombre="Chispa")

    response = admin_web.get(reverse("admin:clientes_cliente_change", args=[cliente.id]))

    assert response.status_code == 200
    assert "Chispa" in response.content.decode()
    assert paciente.id in [form.instance.id for form in response.context["inline_admin_formsets"][0].formset.forms]


def test_cliente_user_cannot_enter_the_admin(client, cliente_user):
    client.force_login(cliente_user)

    response = client.get(reverse("admin:clientes_cliente_changelist"))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_pets_added_in_the_inline_are_created_through_the_service(admin_web, admin_user):
    cliente = ClienteFactory()
    data = {
        "nombre": cliente.nombre,
        "apellidos": cliente.apellidos,
        "documento": cliente.documento or "",
        "activo": "on",
        "telefono": cliente.telefono,
        "email": cliente.email,
        "direccion": "",
        "ciudad": "",
        "notas": "",
        "pacientes-TOTAL_FORMS": "1",
        "pacientes-INITIAL_FORMS": "0",
        "pacientes-MIN_NUM_FORMS": "0",
        "pacientes-MAX_NUM_FORMS": "1000",
        "pacientes-0-nombre": "Trufa",
        "pacientes-0-especie": "gato",
        "pacientes-0-sexo": "hembra",
        "pacientes-0-microchip": "",
        "pacientes-0-activo": "on",
    }

    response = admin_web.post(reverse("admin:clientes_cliente_change", args=[cliente.id]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    trufa = cliente.pacientes.get()
    assert trufa.nombre == "Trufa"
    assert trufa.history.first().history_user == admin_user


def test_receptionist_creates_a_client(client, recepcionista):
    client.force_login(recepcionista)

    response = client.post(
        reverse("admin:clientes_cliente_add"),
        {
            "nombre": "Rosa",
            "apellidos": "Prieto",
            "documento": "",
            "activo": "on",
            "telefono": "+34 600 111 222",
            "email": "",
            "direccion": "",
            "ciudad": "",
            "notas": "",
            "pacientes-TOTAL_FORMS": "0",
            "pacientes-INITIAL_FORMS": "0",
            "pacientes-MIN_NUM_FORMS": "0",
            "pacientes-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Cliente.objects.get().history.first().history_user == recepcionista


def test_a_pet_marked_dead_in_the_inline_without_date_is_a_form_error_not_a_crash(admin_web):
    paciente = PacienteFactory()
    cliente = paciente.propietario
    data = {
        "nombre": cliente.nombre,
        "apellidos": cliente.apellidos,
        "documento": cliente.documento or "",
        "activo": "on",
        "telefono": cliente.telefono,
        "pacientes-TOTAL_FORMS": "1",
        "pacientes-INITIAL_FORMS": "1",
        "pacientes-MIN_NUM_FORMS": "0",
        "pacientes-MAX_NUM_FORMS": "1000",
        "pacientes-0-id": paciente.id,
        "pacientes-0-propietario": cliente.id,
        "pacientes-0-nombre": paciente.nombre,
        "pacientes-0-especie": paciente.especie,
        "pacientes-0-sexo": paciente.sexo,
        "pacientes-0-microchip": paciente.microchip or "",
        "pacientes-0-activo": "on",
        "pacientes-0-fallecido": "on",
    }
    url = reverse("admin:clientes_cliente_change", args=[cliente.id])

    without_date = admin_web.post(url, data)
    with_date = admin_web.post(url, {**data, "pacientes-0-fecha_fallecimiento": "2025-01-10"})

    assert without_date.status_code == 200
    assert "fecha_fallecimiento" in without_date.context["inline_admin_formsets"][0].formset.errors[0]
    assert with_date.status_code == 302
    paciente.refresh_from_db()
    assert (paciente.fallecido, str(paciente.fecha_fallecimiento)) == (True, "2025-01-10")


def test_two_new_pets_with_one_microchip_are_a_form_error_not_a_crash(admin_web):
    cliente = ClienteFactory()
    data = {
        "nombre": cliente.nombre,
        "apellidos": cliente.apellidos,
        "documento": cliente.documento or "",
        "activo": "on",
        "telefono": cliente.telefono,
        "pacientes-TOTAL_FORMS": "2",
        "pacientes-INITIAL_FORMS": "0",
        "pacientes-MIN_NUM_FORMS": "0",
        "pacientes-MAX_NUM_FORMS": "1000",
    }
    for n, nombre in enumerate(["Trufa", "Kira"]):
        data.update(
            {
                f"pacientes-{n}-nombre": nombre,
                f"pacientes-{n}-especie": "gato",
                f"pacientes-{n}-sexo": "hembra",
                f"pacientes-{n}-microchip": "724000000000077",
                f"pacientes-{n}-activo": "on",
            }
        )

    response = admin_web.post(reverse("admin:clientes_cliente_change", args=[cliente.id]), data)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert "microchip" in formset.errors[1]
    assert not cliente.pacientes.exists()
