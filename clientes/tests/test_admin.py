import pytest
from django.urls import reverse

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
