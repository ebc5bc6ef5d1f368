"""Every error answer of the API has the contract's shape and its fixed code (API.md, "Errors"):
`{"type", "errors": [{"code", "detail", "attr"}]}`, JSON under /api/ whatever went wrong."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import Rol
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory, VeterinarioFactory
from api.exceptions import ExceptionHandler
from citas.models import EstadoCita
from citas.tests.factories import BloqueoFactory, CitaFactory, manana_a_las
from clientes.tests.factories import ClienteFactory
from conftest import bearer
from core.exceptions import Conflict
from historial.tests.factories import ConsultaFactory
from pacientes.tests.factories import PacienteFactory
from tests.errors import error_body, error_code, error_codes, error_details

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REFRESH_URL = "/api/v1/auth/token/refresh/"
CLIENTES = "/api/v1/clientes/"
CITAS = "/api/v1/citas/"


def reserva(paciente, veterinario, inicio, **extra):
    return {
        "paciente": paciente.pk,
        "veterinario": veterinario.pk,
        "inicio": inicio.isoformat(),
        "motivo": "x",
        **extra,
    }


# --- 401 ------------------------------------------------------------------------------------


def test_no_credentials_is_401_not_authenticated(anon_client):
    response = anon_client.get(CLIENTES)

    assert response.status_code == 401
    assert error_body(response)["type"] == "client_error"
    assert error_codes(response) == {None: ["not_authenticated"]}


def test_a_token_that_is_not_a_jwt_is_401_token_not_valid(anon_client):
    response = anon_client.get(CLIENTES, HTTP_AUTHORIZATION="Bearer esto-no-es-un-token")

    assert response.status_code == 401
    assert error_codes(response) == {None: ["token_not_valid"]}


def test_an_authorization_header_without_a_token_is_401_authentication_failed(anon_client):
    response = anon_client.get(CLIENTES, HTTP_AUTHORIZATION="Bearer")

    assert response.status_code == 401
    assert error_codes(response) == {None: ["authentication_failed"]}


def test_an_expired_access_token_is_401_token_not_valid(anon_client):
    token = AccessToken.for_user(UserFactory(rol=Rol.ADMIN))
    token.set_exp(from_time=timezone.now() - datetime.timedelta(hours=1), lifetime=datetime.timedelta(minutes=1))

    response = anon_client.get(CLIENTES, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401
    assert error_code(response) == "token_not_valid"


def test_a_blacklisted_refresh_token_is_401_token_not_valid(anon_client):
    refresh = RefreshToken.for_user(UserFactory())
    refresh.blacklist()

    response = anon_client.post(REFRESH_URL, {"refresh": str(refresh)}, format="json")

    assert response.status_code == 401
    assert error_code(response) == "token_not_valid"


def test_a_token_of_a_user_deactivated_since_is_401_user_inactive(anon_client):
    user = UserFactory(rol=Rol.ADMIN)
    header = bearer(user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)

    response = anon_client.get(CLIENTES, **header)

    assert response.status_code == 401
    assert error_code(response) == "user_inactive"


def test_a_wrong_password_is_401_no_active_account_in_spanish_by_default(anon_client):
    UserFactory(email="ana@clinica.test")

    response = anon_client.post(TOKEN_URL, {"email": "ana@clinica.test", "password": "mala"}, format="json")

    assert response.status_code == 401
    assert error_codes(response) == {None: ["no_active_account"]}
    assert error_details(response) == {None: ["La combinación de credenciales no tiene una cuenta activa"]}


def test_the_login_error_is_in_english_when_asked_and_keeps_its_code(anon_client):
    UserFactory(email="ana@clinica.test")

    response = anon_client.post(
        TOKEN_URL, {"email": "ana@clinica.test", "password": "mala"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert error_codes(response) == {None: ["no_active_account"]}
    assert error_details(response) == {None: ["No active account found with the given credentials"]}


# --- 403, 404, 405, 406, 413, 415, 429 ------------------------------------------------------


def test_a_role_that_may_not_is_403_permission_denied(api_client):
    cliente = ClienteFactory()

    response = api_client(Rol.RECEPCIONISTA).delete(f"{CLIENTES}{cliente.pk}/")

    assert response.status_code == 403
    assert error_codes(response) == {None: ["permission_denied"]}


@pytest.mark.parametrize(
    "path",
    ["/api/v1/no-existe/", "/api/v1/citas/4.2e-30/", "/api/v1/citas/abc/", "/api/v1/citas/999999/", "/api/nada"],
)
def test_unknown_paths_and_malformed_ids_are_a_json_404_not_found(api_client, path):
    response = api_client(Rol.ADMIN).get(path)

    assert response.status_code == 404
    assert error_body(response) == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "No encontrado.", "attr": None}],
    }


def test_an_unknown_path_is_a_json_404_for_anonymous_callers_too(anon_client):
    response = anon_client.get("/api/v1/no-existe/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert error_details(response) == {None: ["Not found."]}


@pytest.mark.parametrize("method,path", [("put", CLIENTES), ("delete", "/api/v1/auth/me/")])
def test_a_method_the_endpoint_lacks_is_405_method_not_allowed(api_client, method, path):
    response = getattr(api_client(Rol.RECEPCIONISTA), method)(path)

    assert response.status_code == 405
    assert error_codes(response) == {None: ["method_not_allowed"]}


def test_asking_for_xml_is_406_not_acceptable_answered_in_json(api_client):
    response = api_client(Rol.ADMIN).get(CLIENTES, HTTP_ACCEPT="application/xml")

    assert response.status_code == 406
    assert error_codes(response) == {None: ["not_acceptable"]}


def test_a_body_over_the_limit_is_413_request_too_large(api_client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 100

    response = api_client(Rol.ADMIN).post(CLIENTES, {"nombre": "x" * 200}, format="json")

    assert response.status_code == 413
    assert error_body(response)["type"] == "client_error"
    assert error_codes(response) == {None: ["request_too_large"]}


def test_a_form_body_is_415_unsupported_media_type(api_client):
    response = api_client(Rol.ADMIN).generic(
        "POST", CLIENTES, "nombre=Ana", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415
    assert error_codes(response) == {None: ["unsupported_media_type"]}


def test_too_many_logins_are_429_throttled_with_retry_after(anon_client):
    UserFactory(email="ana@clinica.test")
    for _ in range(10):
        anon_client.post(TOKEN_URL, {"email": "ana@clinica.test", "password": "mala"}, format="json")

    response = anon_client.post(TOKEN_URL, {"email": "ana@clinica.test", "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 429
    assert error_codes(response) == {None: ["throttled"]}
    assert int(response["Retry-After"]) > 0


# --- 409 --------------------------------------------------------------------------------------


def _solape_veterinario(api):
    vet = VeterinarioFactory()
    CitaFactory(veterinario=vet, inicio=manana_a_las(10), fin=manana_a_las(10, 30))
    return api.post(CITAS, reserva(PacienteFactory(), vet, manana_a_las(10, 15)))


def _solape_paciente(api):
    cita = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(11))
    return api.post(CITAS, reserva(cita.paciente, VeterinarioFactory(), manana_a_las(10, 30)))


def _solape_bloqueo(api):
    vet = VeterinarioFactory()
    BloqueoFactory(veterinario=vet, inicio=manana_a_las(9), fin=manana_a_las(12))
    return api.post(CITAS, reserva(PacienteFactory(), vet, manana_a_las(11)))


def _transicion_invalida(api):
    cita = CitaFactory(estado=EstadoCita.COMPLETADA)
    return api.post(f"{CITAS}{cita.pk}/confirmar/")


def _no_reprogramable(api):
    cita = CitaFactory(estado=EstadoCita.CANCELADA, inicio=manana_a_las(10), fin=manana_a_las(10, 30))
    return api.patch(f"{CITAS}{cita.pk}/", {"inicio": manana_a_las(12).isoformat()})


def _tiene_historial_cliente(api):
    paciente = PacienteFactory()
    return api.delete(f"{CLIENTES}{paciente.propietario_id}/")


def _tiene_historial_paciente(api):
    consulta = ConsultaFactory()
    return api.delete(f"/api/v1/pacientes/{consulta.paciente_id}/")


@pytest.mark.parametrize(
    "provoke,code",
    [
        (_solape_veterinario, "solape_veterinario"),
        (_solape_paciente, "solape_paciente"),
        (_solape_bloqueo, "solape_bloqueo"),
        (_transicion_invalida, "transicion_invalida"),
        (_no_reprogramable, "no_reprogramable"),
        (_tiene_historial_cliente, "tiene_historial"),
        (_tiene_historial_paciente, "tiene_historial"),
    ],
)
def test_each_conflict_is_409_with_its_code(api_client, provoke, code):
    response = provoke(api_client(Rol.ADMIN))

    assert response.status_code == 409
    assert error_body(response)["type"] == "client_error"
    assert error_codes(response) == {None: [code]}


def test_a_bloqueo_over_citas_is_409_bloqueo_con_citas_with_their_ids_next_to_errors(api_client):
    vet = VeterinarioFactory()
    cita = CitaFactory(veterinario=vet, inicio=manana_a_las(10), fin=manana_a_las(10, 30))

    response = api_client(Rol.ADMIN).post(
        "/api/v1/bloqueos/",
        {
            "veterinario": vet.pk,
            "inicio": manana_a_las(9).isoformat(),
            "fin": manana_a_las(11).isoformat(),
            "motivo": "x",
        },
    )

    assert response.status_code == 409
    body = error_body(response)
    assert set(body) == {"type", "errors", "citas"}
    assert body["citas"] == [cita.pk]
    assert error_codes(response) == {None: ["bloqueo_con_citas"]}


# --- 400: domain rules name their own codes ---------------------------------------------------


def _fecha_nacimiento_futura(api):
    manana = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    body = {"nombre": "Toby", "especie": "perro", "propietario": ClienteFactory().pk, "fecha_nacimiento": manana}
    return api.post("/api/v1/pacientes/", body)


def _microchip_invalido(api):
    body = {"nombre": "Toby", "especie": "perro", "propietario": ClienteFactory().pk, "microchip": "12345"}
    return api.post("/api/v1/pacientes/", body)


def _vacuna_futura(api):
    manana = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    body = {"paciente": PacienteFactory().pk, "nombre": "Rabia", "fecha_aplicacion": manana}
    return api.post("/api/v1/vacunas/", body)


def _inicio_en_pasado(api):
    return api.post(
        CITAS, reserva(PacienteFactory(), VeterinarioFactory(), timezone.now() - datetime.timedelta(hours=1))
    )


@pytest.mark.parametrize(
    "provoke,expected",
    [
        (_fecha_nacimiento_futura, {"fecha_nacimiento": ["fecha_futura"]}),
        (_microchip_invalido, {"microchip": ["microchip_invalido"]}),
        (_vacuna_futura, {"fecha_aplicacion": ["fecha_futura"]}),
        (_inicio_en_pasado, {"inicio": ["inicio_en_pasado"]}),
    ],
)
def test_each_domain_rule_is_400_with_its_code_on_its_field(api_client, provoke, expected):
    response = provoke(api_client(Rol.ADMIN))

    assert response.status_code == 400
    assert error_body(response)["type"] == "validation_error"
    assert error_codes(response) == expected


def test_an_owner_booking_outside_the_offered_slots_is_400_hueco_no_disponible(client_for, cliente):
    paciente = PacienteFactory(propietario=cliente)
    vet = VeterinarioFactory()
    domingo = timezone.localdate() + datetime.timedelta(days=6 - timezone.localdate().weekday() + 7)
    inicio = datetime.datetime.combine(domingo, datetime.time(10), tzinfo=timezone.get_current_timezone())

    response = client_for(cliente.usuario).post(CITAS, reserva(paciente, vet, inicio))

    assert response.status_code == 400
    assert error_codes(response) == {"inicio": ["hueco_no_disponible"]}


def test_a_body_that_is_not_json_is_a_400_validation_error_with_attr_null(api_client):
    response = api_client(Rol.ADMIN).generic("POST", CLIENTES, b'{"nombre": ', content_type="application/json")

    assert response.status_code == 400
    assert error_body(response)["type"] == "validation_error"
    assert error_codes(response) == {None: ["parse_error"]}


def test_messages_are_translated_and_codes_are_not(api_client):
    api = api_client(Rol.ADMIN)

    spanish = api.post(CLIENTES, {})
    english = api.post(CLIENTES, {}, HTTP_ACCEPT_LANGUAGE="en")

    assert (
        error_codes(spanish) == error_codes(english) == {f: ["required"] for f in ("nombre", "apellidos", "telefono")}
    )
    assert error_details(english)["nombre"] == ["This field is required."]
    assert error_details(spanish)["nombre"] == ["Este campo es requerido."]


# --- 5xx ------------------------------------------------------------------------------------------


def test_an_unexpected_failure_is_a_500_server_error_that_leaks_nothing(admin_user, monkeypatch):
    from clientes.views import ClienteViewSet

    def broken(**kwargs):
        raise RuntimeError("secreto interno: contraseña=1234")

    monkeypatch.setattr(ClienteViewSet, "selector", staticmethod(broken))

    response = Client(raise_request_exception=False).get(CLIENTES, **bearer(admin_user))

    assert response.status_code == 500
    assert error_body(response)["type"] == "server_error"
    assert error_codes(response) == {None: ["error"]}
    assert b"secreto" not in response.content


# --- the handler itself: what other parts of the API raise renders as the contract says -------------


def handle(exc):
    context = {"view": None, "args": (), "kwargs": {}, "request": None}
    return ExceptionHandler(exc, context).run()


def test_a_nested_field_error_names_its_path_in_attr():
    response = handle(
        exceptions.ValidationError(
            {"lineas": [{}, {"cantidad": [ErrorDetail("Debe ser mayor que 0.", code="min_value")]}]}
        )
    )

    assert response.data["errors"] == [
        {"code": "min_value", "detail": "Debe ser mayor que 0.", "attr": "lineas.1.cantidad"}
    ]


def test_a_strict_query_parameter_error_names_the_parameter_in_attr():
    response = handle(
        exceptions.ValidationError({"colour": [ErrorDetail("Parámetro desconocido.", code="unknown_parameter")]})
    )

    assert response.status_code == 400
    assert response.data == {
        "type": "validation_error",
        "errors": [{"code": "unknown_parameter", "detail": "Parámetro desconocido.", "attr": "colour"}],
    }


def test_a_conflict_renders_its_extra_members_next_to_errors():
    response = handle(Conflict("El paciente tiene citas futuras.", "tiene_citas_futuras", extra={"citas": [4, 7]}))

    assert response.status_code == 409
    assert response.data == {
        "type": "client_error",
        "errors": [{"code": "tiene_citas_futuras", "detail": "El paciente tiene citas futuras.", "attr": None}],
        "citas": [4, 7],
    }


def test_a_django_validation_error_of_a_service_keeps_field_and_code():
    from django.core.exceptions import ValidationError

    response = handle(ValidationError({"inicio": ValidationError("En el pasado.", code="inicio_en_pasado")}))

    assert response.data["errors"] == [{"code": "inicio_en_pasado", "detail": "En el pasado.", "attr": "inicio"}]
