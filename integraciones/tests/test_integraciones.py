"""Integration keys: Api-Key auth narrowed to permisos (403) and sedes (404), revocation (401),
the integration as the author of its writes, its own rate limit."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from api.models import IdempotencyKey
from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from core import events
from integraciones.models import ClaveIntegracion, Integracion
from sedes.tests.factories import SedeFactory
from tests.errors import error_codes

from .factories import WebhookFactory, integracion_con_clave

pytestmark = pytest.mark.django_db


def key_client(clave):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {clave}")
    return api


def test_an_admin_creates_an_integration_and_sees_its_key_once(api_client):
    api = api_client("admin")

    created = api.post("/api/v1/integraciones/", {"nombre": "ERP", "permisos": ["clientes:read", "eventos:read"]})

    assert created.status_code == 201, created.json()
    body = created.json()
    assert set(body) == {
        "id",
        "nombre",
        "permisos",
        "sedes",
        "activo",
        "ultimo_uso",
        "creado_en",
        "actualizado_en",
        "clave",
    }
    assert key_client(body["clave"]).get("/api/v1/clientes/").status_code == 200
    assert "clave" not in api.get(f"/api/v1/integraciones/{body['id']}/").json()
    # stored only hashed
    stored = ClaveIntegracion.objects.get(integracion_id=body["id"])
    assert body["clave"] not in (stored.hashed_key, stored.id)


def test_an_unknown_permiso_is_refused(api_client):
    response = api_client("admin").post("/api/v1/integraciones/", {"nombre": "X", "permisos": ["todo:read"]})

    assert response.status_code == 400
    assert error_codes(response) == {"permisos": ["permiso_desconocido"]}


def test_a_key_reads_what_its_permisos_name():
    ClienteFactory()
    _integracion, clave = integracion_con_clave(permisos=["clientes:read"])

    response = key_client(clave).get("/api/v1/clientes/")

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/clientes/"),
        ("get", "/api/v1/pacientes/"),
        ("get", "/api/v1/eventos/"),
        ("get", "/api/v1/integraciones/"),
    ],
)
def test_a_key_gets_403_for_what_its_permisos_do_not_name(method, path):
    _integracion, clave = integracion_con_clave(permisos=["clientes:read"])

    response = getattr(key_client(clave), method)(path, {"nombre": "x"} if method == "post" else None)

    assert response.status_code == 403
    assert error_codes(response) == {None: ["permission_denied"]}


def test_a_key_never_manages_keys_whatever_it_names():
    _integracion, clave = integracion_con_clave(permisos=["webhooks:read"])
    Integracion.objects.update(permisos=["integraciones:read", "integraciones:write"])  # forced past validation

    assert key_client(clave).get("/api/v1/integraciones/").status_code == 403


def test_a_key_gets_404_outside_its_sedes():
    # given a key narrowed to sede A, and webhooks and events at A and at B
    sede_a, sede_b = SedeFactory(), SedeFactory()
    en_a, en_b = WebhookFactory(sede=sede_a), WebhookFactory(sede=sede_b)
    cliente = ClienteFactory()
    for sede in (sede_a, sede_b, None):
        events.publish("cliente.actualizado", instance=cliente, sede=sede)
    _integracion, clave = integracion_con_clave(permisos=["webhooks:read", "eventos:read"], sedes=[sede_a])
    api = key_client(clave)

    # then what is at B is not there for it
    assert api.get(f"/api/v1/webhooks/{en_a.pk}/").status_code == 200
    response = api.get(f"/api/v1/webhooks/{en_b.pk}/")
    assert response.status_code == 404
    assert error_codes(response) == {None: ["not_found"]}
    sedes = [e["sede"] for e in api.get("/api/v1/eventos/").json()["results"]]
    assert sedes == [sede_a.pk, None]


def test_a_rotated_key_gets_401_and_the_new_one_works(api_client):
    integracion, clave = integracion_con_clave(permisos=["clientes:read"])

    response = api_client("admin").post(f"/api/v1/integraciones/{integracion.pk}/rotar-clave/")

    assert response.status_code == 200
    nueva = response.json()["clave"]
    old = key_client(clave).get("/api/v1/clientes/")
    assert old.status_code == 401
    assert error_codes(old) == {None: ["authentication_failed"]}
    assert key_client(nueva).get("/api/v1/clientes/").status_code == 200


@pytest.mark.parametrize(
    "path, campo",
    [("/api/v1/integraciones/", "clave"), ("/api/v1/webhooks/", "secreto")],
)
def test_an_idempotent_retry_of_a_create_never_hands_the_secret_out_again(api_client, path, campo):
    # given an admin who created an integration or a webhook with an Idempotency-Key
    api = api_client("admin")
    datos = (
        {"nombre": "ERP", "permisos": ["clientes:read"]}
        if campo == "clave"
        else {"url": "https://hooks.example.com/vet", "eventos": ["*"]}
    )
    first = api.post(path, datos, format="json", HTTP_IDEMPOTENCY_KEY="alta-1")
    assert first.status_code == 201, first.json()
    secreto = first.json()[campo]
    assert secreto

    # when the same request comes again
    again = api.post(path, datos, format="json", HTTP_IDEMPOTENCY_KEY="alta-1")

    # then it is the same answer but for the secret, which the key store never held
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")
    assert again.json() == {**first.json(), campo: None}
    assert secreto.encode() not in bytes(IdempotencyKey.objects.get(key="alta-1").response_body)


def test_an_idempotent_retry_of_a_rotation_rotates_once_and_keeps_no_key(api_client):
    integracion, _clave = integracion_con_clave(permisos=["clientes:read"])
    api = api_client("admin")
    path = f"/api/v1/integraciones/{integracion.pk}/rotar-clave/"

    nueva = api.post(path, HTTP_IDEMPOTENCY_KEY="rotar-1").json()["clave"]
    again = api.post(path, HTTP_IDEMPOTENCY_KEY="rotar-1")

    assert (again.status_code, again.json()["clave"]) == (200, None)
    assert key_client(nueva).get("/api/v1/clientes/").status_code == 200  # not rotated a second time
    assert nueva.encode() not in bytes(IdempotencyKey.objects.get(key="rotar-1").response_body)


def test_an_inactive_integration_gets_401(api_client):
    integracion, clave = integracion_con_clave(permisos=["clientes:read"])

    api_client("admin").patch(f"/api/v1/integraciones/{integracion.pk}/", {"activo": False})

    assert key_client(clave).get("/api/v1/clientes/").status_code == 401


def test_an_unknown_key_gets_401():
    assert key_client("abcdefgh.not-a-real-key").get("/api/v1/clientes/").status_code == 401


def test_a_write_made_with_a_key_is_audited_with_the_integration_as_author():
    integracion, clave = integracion_con_clave(permisos=["clientes:write"], nombre="Portal web")

    response = key_client(clave).post(
        "/api/v1/clientes/", {"nombre": "Ana", "apellidos": "Gil", "telefono": "+34600111222"}
    )

    assert response.status_code == 201
    registro = Cliente.history.get(id=response.json()["id"])
    assert registro.history_user == integracion.usuario
    assert registro.history_user.nombre == "Integración Portal web"


def test_the_service_user_cannot_log_in():
    integracion, _clave = integracion_con_clave(permisos=[])

    assert not integracion.usuario.has_usable_password()


def test_ultimo_uso_is_recorded():
    integracion, clave = integracion_con_clave(permisos=["clientes:read"])

    key_client(clave).get("/api/v1/clientes/")

    integracion.refresh_from_db()
    assert integracion.ultimo_uso is not None


def test_a_key_has_its_own_ceiling_in_the_rate_limit_headers(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "integracion": "2/min"},
    }
    _integracion, clave = integracion_con_clave(permisos=["clientes:read"])
    api = key_client(clave)

    first = api.get("/api/v1/clientes/")
    api.get("/api/v1/clientes/")
    third = api.get("/api/v1/clientes/")

    assert (first["X-RateLimit-Limit"], first["X-RateLimit-Remaining"]) == ("2", "1")
    assert third.status_code == 429
    assert "Retry-After" in third


@override_settings()
def test_integraciones_are_for_admins_only(api_client):
    for rol in ("veterinario", "recepcionista", "cliente"):
        assert api_client(rol).get("/api/v1/integraciones/").status_code == 403
