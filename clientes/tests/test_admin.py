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


def client_page_data(cliente, pets, *, initial=0):
    """What a client's change page posts: its fields plus the pets inline, a dict per row."""
    data = {
        "nombre": cliente.nombre,
        "apellidos": cliente.apellidos,
        "documento": cliente.documento or "",
        "activo": "on",
        "telefono": cliente.telefono,
        "movil": cliente.movil,
        "email": cliente.email,
        "canal_preferido": cliente.canal_preferido,
        "idioma": cliente.idioma,
        **{name: "on" for name in ("acepta_email", "acepta_sms", "acepta_whatsapp") if getattr(cliente, name)},
        "pacientes-TOTAL_FORMS": str(len(pets)),
        "pacientes-INITIAL_FORMS": str(initial),
        "pacientes-MIN_NUM_FORMS": "0",
        "pacientes-MAX_NUM_FORMS": "1000",
    }
    for n, pet in enumerate(pets):
        data.update({f"pacientes-{n}-{name}": value for name, value in pet.items()})
    return data


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
    data = client_page_data(
        cliente, [{"nombre": "Trufa", "especie": "gato", "sexo": "hembra", "microchip": "", "activo": "on"}]
    )

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
            "canal_preferido": "email",
            "idioma": "es",
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
    pet = {
        "id": paciente.id,
        "propietario": cliente.id,
        "nombre": paciente.nombre,
        "especie": paciente.especie,
        "sexo": paciente.sexo,
        "microchip": paciente.microchip or "",
        "activo": "on",
        "fallecido": "on",
    }
    data = client_page_data(cliente, [pet], initial=1)
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
    data = client_page_data(
        cliente,
        [
            {"nombre": nombre, "especie": "gato", "sexo": "hembra", "microchip": "724000000000077", "activo": "on"}
            for nombre in ["Trufa", "Kira"]
        ],
    )

    response = admin_web.post(reverse("admin:clientes_cliente_change", args=[cliente.id]), data)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert "microchip" in formset.errors[1]
    assert not cliente.pacientes.exists()


def test_a_line_break_in_a_name_is_a_form_error(admin_web):
    # given the add form with a line break inside the name (the admin strips only the ends)
    data = {
        "nombre": "Ana\nBcc: x@evil.com",
        "apellidos": "Prieto\x1b[2J",
        "documento": "",
        "activo": "on",
        "telefono": "+34 600 111 222",
        "email": "",
        "canal_preferido": "email",
        "idioma": "es",
        "pacientes-TOTAL_FORMS": "0",
        "pacientes-INITIAL_FORMS": "0",
        "pacientes-MIN_NUM_FORMS": "0",
        "pacientes-MAX_NUM_FORMS": "1000",
    }

    # when it is saved
    response = admin_web.post(reverse("admin:clientes_cliente_add"), data)

    # then the page comes back with an error on each field and nothing is stored
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["nombre"]] == ["caracteres_de_control"]
    assert [e.code for e in errors["apellidos"]] == ["caracteres_de_control"]
    assert not Cliente.objects.exists()


# --- contact channels (contract v1.1) ------------------------------------------------------


def new_client_data(**extra):
    return {
        "nombre": "Rosa",
        "apellidos": "Prieto",
        "documento": "",
        "activo": "on",
        "telefono": "600-111-222",
        "movil": "0034 611 222 333",
        "email": "",
        "canal_preferido": "sms",
        "idioma": "es",
        "acepta_sms": "on",
        "pacientes-TOTAL_FORMS": "0",
        "pacientes-INITIAL_FORMS": "0",
        "pacientes-MIN_NUM_FORMS": "0",
        "pacientes-MAX_NUM_FORMS": "1000",
        **extra,
    }


def test_the_admin_stores_phones_normalised_and_the_consents_as_ticked(admin_web):
    # when a client is added in the admin with phones written the local way
    response = admin_web.post(reverse("admin:clientes_cliente_add"), new_client_data())

    # then they are stored as the API stores them, with the channels as ticked
    assert response.status_code == 302, response.context["adminform"].form.errors
    cliente = Cliente.objects.get()
    assert (cliente.telefono, cliente.movil) == ("+34600111222", "+34611222333")
    assert (cliente.acepta_email, cliente.acepta_sms, cliente.acepta_whatsapp) == (False, True, False)
    assert cliente.canal_preferido == "sms"


def test_a_landline_as_movil_is_a_form_error_in_the_admin(admin_web):
    response = admin_web.post(reverse("admin:clientes_cliente_add"), new_client_data(movil="915 551 234"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["movil"]] == ["movil_invalido"]
    assert not Cliente.objects.exists()


def test_the_change_page_shows_and_edits_the_contact_channels(admin_web):
    cliente = ClienteFactory(movil="+34611222333", acepta_whatsapp=True, canal_preferido="whatsapp")
    url = reverse("admin:clientes_cliente_change", args=[cliente.id])

    page = admin_web.get(url).content.decode()
    saved = admin_web.post(url, {**client_page_data(cliente, []), "movil": "622 333 444", "acepta_sms": "on"})

    for name in ("movil", "acepta_email", "acepta_sms", "acepta_whatsapp", "canal_preferido"):
        assert f'name="{name}"' in page
    assert "+34611222333" in page
    assert saved.status_code == 302
    cliente.refresh_from_db()
    assert (cliente.movil, cliente.acepta_sms, cliente.acepta_whatsapp) == ("+34622333444", True, True)


@pytest.mark.parametrize("query", ["600 111 222", "0034600111222", "+34 600-111-222"])
def test_the_admin_search_finds_a_phone_however_it_is_typed(admin_web, query):
    buscado = ClienteFactory(apellidos="Buscadoqx", telefono="+34600111222", documento="", email="")
    ClienteFactory(apellidos="Otroqx", telefono="+34611999888", documento="", email="")

    response = admin_web.get(reverse("admin:clientes_cliente_changelist"), {"q": query})

    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [buscado.pk]
