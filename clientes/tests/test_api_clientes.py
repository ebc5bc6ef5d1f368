import pytest

from accounts.models import Rol
from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from pacientes.tests.factories import PacienteFactory
from tests.errors import error_code, error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/clientes/"

CONTRACT_FIELDS = {
    "id",
    "nombre",
    "apellidos",
    "documento",
    "email",
    "telefono",
    "movil",
    "direccion",
    "ciudad",
    "notas",
    "acepta_email",
    "acepta_sms",
    "acepta_whatsapp",
    "canal_preferido",
    "idioma",
    "activo",
    "num_pacientes",
    "creado_en",
    "actualizado_en",
}


def nuevo(**extra):
    return {"nombre": "Carmen", "apellidos": "Ruiz Gómez", "telefono": "+34 600 111 222", **extra}


@pytest.fixture
def recepcion(api_client):
    return api_client(Rol.RECEPCIONISTA)


# --- roles ----------------------------------------------------------------------


def test_anonymous_gets_401(anon_client):
    assert anon_client.get(URL).status_code == 401


@pytest.mark.parametrize("rol", [Rol.ADMIN, Rol.VETERINARIO, Rol.RECEPCIONISTA])
def test_staff_reads_every_client(api_client, rol):
    ClienteFactory.create_batch(3)

    response = api_client(rol).get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert set(response.json()["results"][0]) == CONTRACT_FIELDS


@pytest.mark.parametrize("rol,status", [(Rol.ADMIN, 201), (Rol.RECEPCIONISTA, 201), (Rol.VETERINARIO, 403)])
def test_create_per_rol(api_client, rol, status):
    response = api_client(rol).post(URL, nuevo())

    assert response.status_code == status
    assert Cliente.objects.filter(nombre="Carmen").exists() == (status == 201)


def test_cliente_user_cannot_create(client_for, cliente_user):
    assert client_for(cliente_user).post(URL, nuevo()).status_code == 403


@pytest.mark.parametrize("rol,status", [(Rol.ADMIN, 200), (Rol.RECEPCIONISTA, 200), (Rol.VETERINARIO, 403)])
def test_update_per_rol(api_client, rol, status):
    cliente = ClienteFactory(telefono="1")

    response = api_client(rol).patch(f"{URL}{cliente.id}/", {"telefono": "+34 699 999 999"})

    assert response.status_code == status
    cliente.refresh_from_db()
    assert (cliente.telefono == "+34699999999") == (status == 200)  # stored normalised (E.164)


@pytest.mark.parametrize("rol", [Rol.VETERINARIO, Rol.RECEPCIONISTA, Rol.CLIENTE])
def test_only_admin_deletes(api_client, rol):
    cliente = ClienteFactory()

    assert api_client(rol).delete(f"{URL}{cliente.id}/").status_code in (403, 404)
    assert Cliente.objects.filter(id=cliente.id).exists()


def test_admin_deletes_a_client_without_pacientes(api_client):
    cliente = ClienteFactory()

    assert api_client(Rol.ADMIN).delete(f"{URL}{cliente.id}/").status_code == 204
    assert not Cliente.objects.filter(id=cliente.id).exists()


def test_delete_of_client_with_pacientes_is_409(api_client):
    paciente = PacienteFactory()

    response = api_client(Rol.ADMIN).delete(f"{URL}{paciente.propietario_id}/")

    assert response.status_code == 409
    assert error_code(response) == "tiene_historial"
    assert Cliente.objects.filter(id=paciente.propietario_id).exists()


# --- cliente scope ----------------------------------------------------------------


def test_cliente_user_lists_only_its_own_record(client_for, cliente):
    ClienteFactory.create_batch(2)

    response = client_for(cliente.usuario).get(URL)

    assert [c["id"] for c in response.json()["results"]] == [cliente.id]


def test_cliente_user_gets_404_for_other_clients(client_for, cliente):
    otro = ClienteFactory()
    api = client_for(cliente.usuario)

    assert api.get(f"{URL}{otro.id}/").status_code == 404
    assert api.patch(f"{URL}{otro.id}/", {"telefono": "1"}).status_code == 404
    assert api.get(f"{URL}{otro.id}/pacientes/").status_code == 404


def test_cliente_user_updates_contact_data_of_own_record_only(client_for, cliente):
    response = client_for(cliente.usuario).patch(
        f"{URL}{cliente.id}/", {"telefono": "+34 600 000 001", "notas": "VIP", "activo": False, "documento": "X"}
    )

    assert response.status_code == 200
    cliente.refresh_from_db()
    assert cliente.telefono == "+34600000001"
    assert (cliente.notas, cliente.activo) == ("", True)
    assert cliente.documento != "X"


# --- validation ---------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["nombre", "apellidos", "telefono"])
def test_required_fields(recepcion, missing):
    data = nuevo()
    del data[missing]

    response = recepcion.post(URL, data)

    assert response.status_code == 400
    assert error_codes(response) == {missing: ["required"]}


def test_documento_is_unique_case_insensitively(recepcion):
    ClienteFactory(documento="12345678Z")

    response = recepcion.post(URL, nuevo(documento="12345678z"))

    assert response.status_code == 400
    assert error_codes(response) == {"documento": ["unique"]}


def test_many_clients_may_have_no_documento(recepcion):
    assert recepcion.post(URL, nuevo(documento="")).status_code == 201
    assert recepcion.post(URL, nuevo(documento="")).status_code == 201


def test_invalid_email_is_400(recepcion):
    response = recepcion.post(URL, nuevo(email="no-es-email"))

    assert response.status_code == 400
    assert error_codes(response) == {"email": ["invalid"]}


INYECCION = "Ana\nBcc: x@evil.com"


@pytest.mark.parametrize("campo", ["nombre", "apellidos", "telefono"])
def test_control_characters_in_a_name_are_400_on_create(recepcion, campo):
    # given a new client whose name-like field carries a line break (a header injection attempt)
    # when it is posted
    response = recepcion.post(URL, nuevo(**{campo: INYECCION}), format="json")

    # then it is refused on that field with a stable code, and nothing is stored
    assert response.status_code == 400
    assert error_codes(response) == {campo: ["caracteres_de_control"]}
    assert not Cliente.objects.filter(nombre__startswith="Ana").exists()


@pytest.mark.parametrize("valor", ["Ana\x1bSol", "Ana\tSol", "Ana\rSol", "Ana\x85Sol", "Ana\u2028Sol"])
def test_every_control_character_is_refused_in_nombre_on_update(recepcion, valor):
    cliente = ClienteFactory(nombre="Ana")

    response = recepcion.patch(f"{URL}{cliente.id}/", {"nombre": valor}, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"nombre": ["caracteres_de_control"]}
    cliente.refresh_from_db()
    assert cliente.nombre == "Ana"


def test_patch_with_a_newline_in_nombre_is_400(recepcion):
    cliente = ClienteFactory(nombre="Ana")

    response = recepcion.patch(f"{URL}{cliente.id}/", {"nombre": INYECCION}, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"nombre": ["caracteres_de_control"]}
    cliente.refresh_from_db()
    assert cliente.nombre == "Ana"


def test_owner_cannot_put_a_newline_in_own_name(client_for, cliente):
    response = client_for(cliente.usuario).patch(f"{URL}{cliente.id}/", {"apellidos": INYECCION}, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"apellidos": ["caracteres_de_control"]}


def test_line_breaks_and_tabs_are_fine_in_notas(recepcion):
    # notas is multi-line free text: it never goes into a message or a header
    response = recepcion.post(URL, nuevo(notas="Primera línea\n\tSegunda línea"), format="json")

    assert response.status_code == 201
    assert Cliente.objects.get().notas == "Primera línea\n\tSegunda línea"


def test_num_pacientes_is_read_only_and_counted(recepcion):
    cliente = ClienteFactory()
    PacienteFactory.create_batch(2, propietario=cliente)

    recepcion.patch(f"{URL}{cliente.id}/", {"num_pacientes": 99})

    assert recepcion.get(f"{URL}{cliente.id}/").json()["num_pacientes"] == 2


def test_new_client_is_active_by_default(recepcion):
    response = recepcion.post(URL, nuevo())

    assert response.json()["activo"] is True
    assert response.json()["num_pacientes"] == 0


# --- search, filters, ordering, pagination --------------------------------------------


def test_search_covers_name_surname_documento_email_and_phone(recepcion):
    a = ClienteFactory(nombre="Begoñaqx", documento="11111111H")
    b = ClienteFactory(apellidos="Zubizarretaqx", email="zubiqx@correo.test")
    c = ClienteFactory(telefono="+34 955 123 456")

    def ids(term):
        return {x["id"] for x in recepcion.get(URL, {"search": term}).json()["results"]}

    assert ids("begoñaqx") == {a.id}
    assert ids("11111111") == {a.id}
    assert ids("ZUBIZARRETAQ") == {b.id}
    assert ids("zubiqx@") == {b.id}
    assert ids("955 123") == {c.id}


def test_filters_activo_and_ciudad(recepcion):
    sevilla = ClienteFactory(ciudad="Sevilla")
    ClienteFactory(ciudad="Sevilla", activo=False)
    ClienteFactory(ciudad="Bilbao")

    response = recepcion.get(URL, {"ciudad": "sevilla", "activo": "true"})

    assert [c["id"] for c in response.json()["results"]] == [sevilla.id]


def test_invalid_filter_value_is_400(recepcion):
    assert recepcion.get(URL, {"activo": "quizas"}).status_code == 400


@pytest.mark.parametrize("ordering", ["apellidos", "-apellidos", "nombre", "-creado_en"])
def test_ordering(recepcion, ordering):
    for apellido, nombre in [("Bravo", "Zoe"), ("Alba", "Yago"), ("Cano", "Ximena")]:
        ClienteFactory(apellidos=apellido, nombre=nombre)
    field = ordering.lstrip("-")

    results = recepcion.get(URL, {"ordering": ordering}).json()["results"]

    values = [r[field] for r in results]
    assert values == sorted(values, reverse=ordering.startswith("-"))


def test_pagination_shape_default_size_and_cap(recepcion):
    ClienteFactory.create_batch(105)

    default = recepcion.get(URL).json()
    capped = recepcion.get(URL, {"page_size": 100}).json()
    second = recepcion.get(URL, {"page_size": 50, "page": 2}).json()

    # contract v1.1: `count_estimado` added; a page_size past 100 is a 400 (tests/test_lists.py)
    assert set(default) == {"count", "count_estimado", "next", "previous", "results"}
    assert default["count"] == 105
    assert len(default["results"]) == 20
    assert len(capped["results"]) == 100
    assert recepcion.get(URL, {"page_size": 1000}).status_code == 400
    assert len(second["results"]) == 50
    assert second["previous"] is not None


def test_page_out_of_range_is_404(recepcion):
    assert recepcion.get(URL, {"page": 99}).status_code == 404


def test_non_numeric_id_is_404(recepcion):
    assert recepcion.get(f"{URL}abc/").status_code == 404


# --- nested pacientes ---------------------------------------------------------------


def test_client_pacientes_lists_only_that_clients_animals(recepcion):
    cliente = ClienteFactory()
    mios = PacienteFactory.create_batch(2, propietario=cliente)
    PacienteFactory()

    response = recepcion.get(f"{URL}{cliente.id}/pacientes/")

    assert response.status_code == 200
    assert {p["id"] for p in response.json()["results"]} == {p.id for p in mios}
    assert response.json()["count"] == 2


def test_cliente_user_lists_own_pacientes_through_its_record(client_for, cliente):
    propio = PacienteFactory(propietario=cliente)

    response = client_for(cliente.usuario).get(f"{URL}{cliente.id}/pacientes/")

    assert [p["id"] for p in response.json()["results"]] == [propio.id]


def test_pacientes_of_unknown_client_is_404(recepcion):
    assert recepcion.get(f"{URL}999999/pacientes/").status_code == 404


# --- query budget -----------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_runs_constant_queries(recepcion, django_assert_max_num_queries, page_size):
    for cliente in ClienteFactory.create_batch(60):
        PacienteFactory(propietario=cliente)

    with django_assert_max_num_queries(3):
        response = recepcion.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_detail_runs_constant_queries(recepcion, django_assert_max_num_queries):
    cliente = ClienteFactory()
    PacienteFactory.create_batch(3, propietario=cliente)

    with django_assert_max_num_queries(2):
        assert recepcion.get(f"{URL}{cliente.id}/").status_code == 200


@pytest.mark.parametrize("page_size", [1, 50])
def test_client_pacientes_runs_constant_queries(recepcion, django_assert_max_num_queries, page_size):
    cliente = ClienteFactory()
    PacienteFactory.create_batch(60, propietario=cliente)

    with django_assert_max_num_queries(4):
        response = recepcion.get(f"{URL}{cliente.id}/pacientes/", {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
