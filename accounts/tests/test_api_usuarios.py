import pytest

from accounts.models import Rol, User
from accounts.tests.factories import UserFactory
from clientes.tests.factories import ClienteFactory
from sedes.tests.factories import SedeFactory, sede_principal
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/usuarios/"
STRONG = "Clave-Muy-Segura-1"


@pytest.fixture
def admin_api(client_for, admin_user):
    return client_for(admin_user)


@pytest.mark.parametrize("rol", ["veterinario", "recepcionista", "cliente"])
@pytest.mark.parametrize(
    "method,path",
    [("get", URL), ("post", URL), ("get", "{id}"), ("patch", "{id}"), ("put", "{id}"), ("delete", "{id}")],
)
def test_usuarios_is_forbidden_to_non_admin_roles(api_client, rol, method, path):
    target = UserFactory()
    url = URL if path == URL else f"{URL}{target.id}/"

    response = getattr(api_client(rol), method)(url, {}, format="json")

    assert response.status_code == 403


def test_usuarios_requires_authentication(anon_client):
    assert anon_client.get(URL).status_code == 401


def test_admin_creates_a_staff_user(admin_api):
    response = admin_api.post(
        URL,
        {"email": "Nueva@Clinica.test", "nombre": "Nuria", "rol": "veterinario", "password": STRONG},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "nueva@clinica.test"
    assert body["rol"] == "veterinario"
    assert body["is_active"] is True
    assert body["cliente"] is None
    assert User.objects.get(id=body["id"]).check_password(STRONG)


def test_create_requires_a_password(admin_api):
    response = admin_api.post(URL, {"email": "x@clinica.test", "rol": "recepcionista"}, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"password": ["required"]}


def test_create_rejects_a_weak_password(admin_api):
    response = admin_api.post(URL, {"email": "x@clinica.test", "rol": "recepcionista", "password": "1234"})

    assert response.status_code == 400
    assert list(error_codes(response)) == ["password"]
    assert "password_too_short" in error_codes(response)["password"]
    assert not User.objects.filter(email="x@clinica.test").exists()


def test_email_is_unique_case_insensitively(admin_api):
    UserFactory(email="ana@clinica.test")

    response = admin_api.post(URL, {"email": "ANA@clinica.test", "rol": "recepcionista", "password": STRONG})

    assert response.status_code == 400
    assert error_codes(response) == {"email": ["unique"]}
    assert User.objects.filter(email__iexact="ana@clinica.test").count() == 1


def test_cliente_rol_requires_a_cliente(admin_api):
    response = admin_api.post(URL, {"email": "dueno@correo.test", "rol": "cliente", "password": STRONG})

    assert response.status_code == 400
    assert error_codes(response) == {"cliente": ["required"]}


def test_cliente_rol_is_linked_to_its_cliente(admin_api):
    ficha = ClienteFactory()

    response = admin_api.post(
        URL, {"email": "dueno@correo.test", "rol": "cliente", "cliente": ficha.id, "password": STRONG}
    )

    assert response.status_code == 201
    assert response.json()["cliente"] == ficha.id
    ficha.refresh_from_db()
    assert ficha.usuario_id == response.json()["id"]


def test_a_cliente_is_linked_to_at_most_one_user(admin_api, cliente):
    response = admin_api.post(
        URL, {"email": "otro@correo.test", "rol": "cliente", "cliente": cliente.id, "password": STRONG}
    )

    assert response.status_code == 400
    assert error_codes(response) == {"cliente": ["cliente_ya_vinculado"]}


def test_staff_rol_cannot_carry_a_cliente(admin_api):
    ficha = ClienteFactory()

    response = admin_api.post(
        URL, {"email": "v@clinica.test", "rol": "veterinario", "cliente": ficha.id, "password": STRONG}
    )

    assert response.status_code == 400
    assert error_codes(response) == {"cliente": ["cliente_solo_rol_cliente"]}


def test_unknown_cliente_id_is_400(admin_api):
    response = admin_api.post(URL, {"email": "d@correo.test", "rol": "cliente", "cliente": 999999, "password": STRONG})

    assert response.status_code == 400
    assert error_codes(response) == {"cliente": ["does_not_exist"]}


def test_changing_rol_away_from_cliente_clears_the_link(admin_api, cliente):
    user = cliente.usuario

    response = admin_api.patch(f"{URL}{user.id}/", {"rol": "recepcionista"}, format="json")

    assert response.status_code == 200
    assert response.json()["cliente"] is None
    cliente.refresh_from_db()
    assert cliente.usuario_id is None


def test_relinking_a_cliente_user_releases_the_previous_cliente(admin_api, cliente):
    otra = ClienteFactory()

    response = admin_api.patch(f"{URL}{cliente.usuario_id}/", {"cliente": otra.id}, format="json")

    assert response.status_code == 200
    cliente.refresh_from_db()
    otra.refresh_from_db()
    assert cliente.usuario_id is None
    assert otra.usuario_id == response.json()["id"]


def test_delete_deactivates_the_user(admin_api):
    user = UserFactory()

    response = admin_api.delete(f"{URL}{user.id}/")

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.is_active is False


def test_admin_cannot_deactivate_themselves(admin_api):
    me = admin_api.user

    assert admin_api.delete(f"{URL}{me.id}/").status_code == 400
    assert admin_api.patch(f"{URL}{me.id}/", {"is_active": False}, format="json").status_code == 400
    me.refresh_from_db()
    assert me.is_active is True


def test_admin_cannot_demote_themselves(admin_api):
    me = admin_api.user

    response = admin_api.patch(f"{URL}{me.id}/", {"rol": "veterinario"}, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"rol": ["propia_cuenta"]}
    me.refresh_from_db()
    assert me.rol == Rol.ADMIN


def test_admin_may_demote_another_admin(admin_api):
    other = UserFactory(rol=Rol.ADMIN)

    assert admin_api.patch(f"{URL}{other.id}/", {"rol": "veterinario"}, format="json").status_code == 200


def test_filters_by_rol_active_and_search(admin_api):
    UserFactory(rol=Rol.VETERINARIO, nombre="Xiomara", apellidos="Sanz", is_active=False)
    UserFactory(rol=Rol.VETERINARIO, nombre="Pablo", apellidos="Sanz")
    UserFactory(rol=Rol.RECEPCIONISTA, nombre="Xiomara", apellidos="Sanz")

    by_rol = admin_api.get(URL, {"rol": "veterinario"}).json()
    inactive = admin_api.get(URL, {"is_active": "false"}).json()
    search = admin_api.get(URL, {"search": "xioma"}).json()

    assert {u["nombre"] for u in by_rol["results"]} == {"Xiomara", "Pablo"}
    assert [u["nombre"] for u in inactive["results"]] == ["Xiomara"]
    assert search["count"] == 2


def test_unknown_rol_filter_is_400(admin_api):
    assert admin_api.get(URL, {"rol": "jefe"}).status_code == 400


def test_list_query_count_is_constant(admin_api, django_assert_max_num_queries):
    for _ in range(30):
        ClienteFactory(usuario=UserFactory(rol=Rol.CLIENTE))

    with django_assert_max_num_queries(4):
        response = admin_api.get(URL, {"page_size": 50})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 31


def test_veterinarios_lists_active_vets_for_every_rol(client_for, user_of_rol):
    users = {rol: user_of_rol(rol) for rol in Rol.values}
    UserFactory(rol=Rol.VETERINARIO, is_active=False)

    for user in users.values():
        response = client_for(user).get("/api/v1/veterinarios/")
        assert response.status_code == 200
        results = response.json()["results"]
        assert [v["id"] for v in results] == [users[Rol.VETERINARIO].id]
        assert set(results[0]) == {"id", "nombre", "apellidos", "sedes"}


# --- sedes ----------------------------------------------------------------------------------


def test_with_one_active_sede_a_new_vet_works_there(admin_api):
    response = admin_api.post(URL, {"email": "v@clinica.test", "rol": "veterinario", "password": STRONG}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["sedes"] == [sede_principal().id]


def test_with_several_active_sedes_a_vet_needs_one(admin_api):
    SedeFactory()

    response = admin_api.post(URL, {"email": "v@clinica.test", "rol": "veterinario", "password": STRONG}, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"sedes": ["required"]}


def test_a_user_works_at_the_sedes_given_and_the_lists_filter_by_sede(admin_api, api_client):
    canarias = SedeFactory()
    response = admin_api.post(
        URL,
        {"email": "v@clinica.test", "rol": "veterinario", "password": STRONG, "sedes": [canarias.id]},
        format="json",
    )
    vet_id = response.json()["id"]

    en_canarias = admin_api.get(URL, {"sede": canarias.id}).json()["results"]
    veterinarios = api_client("cliente").get("/api/v1/veterinarios/", {"sede": canarias.id}).json()["results"]

    assert response.json()["sedes"] == [canarias.id]
    assert [u["id"] for u in en_canarias] == [vet_id]
    assert [(v["id"], v["sedes"]) for v in veterinarios] == [(vet_id, [canarias.id])]


def test_an_admin_or_a_cliente_keeps_no_sedes(admin_api):
    vet = UserFactory(rol=Rol.VETERINARIO)

    response = admin_api.patch(f"{URL}{vet.id}/", {"rol": "admin"}, format="json")

    assert response.status_code == 200
    assert response.json()["sedes"] == []


def test_me_lists_the_callers_sedes(client_for):
    canarias = SedeFactory()
    vet = UserFactory(rol=Rol.VETERINARIO, sedes=[sede_principal(), canarias])

    response = client_for(vet).get("/api/v1/auth/me/")

    assert sorted(response.json()["sedes"]) == sorted([sede_principal().id, canarias.id])
