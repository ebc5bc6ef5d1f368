"""/api/v1/mensajes/: the read-only log (staff read, cliente 403) and the providers' signed
status callback POST /api/v1/mensajes/estado/<canal>/ (no auth; a bad signature is 403)."""

import datetime
import json
import time

import pytest
from django.utils import timezone

from accounts.models import Rol
from accounts.tests.factories import UserFactory
from citas.tests.factories import CitaFactory
from core import events
from recordatorios.canales import firma
from recordatorios.models import EstadoMensaje, Mensaje
from recordatorios.tests.factories import MensajeFactory
from sedes.tests.factories import SedeFactory, sede_principal
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/mensajes/"
SECRETO = "secreto-de-pruebas"


@pytest.fixture(autouse=True)
def _secreto(settings):
    settings.MENSAJES_CALLBACK_SECRET = SECRETO


def test_anonymous_is_401(anon_client):
    assert anon_client.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("rol", "status"), [(Rol.ADMIN, 200), (Rol.VETERINARIO, 200), (Rol.RECEPCIONISTA, 200), (Rol.CLIENTE, 403)]
)
def test_staff_read_the_log_and_an_owner_is_403(api_client, rol, status):
    mensaje = MensajeFactory()
    api = api_client(rol)

    assert api.get(URL).status_code == status
    assert api.get(f"{URL}{mensaje.pk}/").status_code == status


@pytest.mark.parametrize("rol", [Rol.VETERINARIO, Rol.RECEPCIONISTA])
def test_staff_of_another_sede_read_vacuna_messages_but_not_those_of_its_citas(client_for, rol):
    # given a cita's message and a vacuna's, both at the default sede
    de_la_cita = MensajeFactory(
        vacuna=None, cita=CitaFactory(), recordatorio_tipo="cita", sede=sede_principal(), offset=2
    )
    de_la_vacuna = MensajeFactory(sede=sede_principal())
    otra = client_for(UserFactory(rol=rol, sedes=[SedeFactory()]))
    de_aqui = client_for(UserFactory(rol=rol))

    # then staff of another sede see only the vacuna's; those of the sede, both
    assert [m["id"] for m in otra.get(URL).json()["results"]] == [de_la_vacuna.pk]
    assert otra.get(f"{URL}{de_la_cita.pk}/").status_code == 404
    assert {m["id"] for m in de_aqui.get(URL).json()["results"]} == {de_la_cita.pk, de_la_vacuna.pk}


@pytest.mark.parametrize("metodo", ["post", "patch", "delete"])
def test_the_log_is_read_only(api_client, metodo):
    mensaje = MensajeFactory()
    api = api_client(Rol.ADMIN)

    url = URL if metodo == "post" else f"{URL}{mensaje.pk}/"
    assert getattr(api, metodo)(url, {}, format="json").status_code == 405


def test_a_row_shows_the_contracts_fields(api_client):
    mensaje = MensajeFactory(canal="sms", offset=3, cuerpo="Nube: vacuna", proveedor_id="gw-9")

    [fila] = api_client(Rol.RECEPCIONISTA).get(URL).json()["results"]

    assert {
        "id",
        "canal",
        "destinatario",
        "cliente",
        "recordatorio_tipo",
        "vacuna",
        "cita",
        "offset",
        "cuerpo",
        "estado",
        "proveedor_id",
        "error",
        "intentos",
        "creado_en",
        "enviado_en",
    } <= fila.keys()
    assert (fila["id"], fila["canal"], fila["vacuna"], fila["cita"], fila["offset"], fila["estado"]) == (
        mensaje.pk,
        "sms",
        mensaje.vacuna_id,
        None,
        3,
        "pendiente",
    )
    assert (fila["cliente"], fila["recordatorio_tipo"], fila["proveedor_id"]) == (mensaje.cliente_id, "vacuna", "gw-9")


def test_filters_canal_estado_cliente_and_dates(api_client):
    ahora = timezone.now()
    sms = MensajeFactory(canal="sms", estado=EstadoMensaje.ENVIADO)
    MensajeFactory(canal="whatsapp", estado=EstadoMensaje.FALLIDO)
    viejo = MensajeFactory(canal="sms", creado_en=ahora - datetime.timedelta(days=10))
    api = api_client(Rol.ADMIN)

    def ids(**query):
        return sorted(m["id"] for m in api.get(URL, query).json()["results"])

    assert ids(canal="sms") == sorted([sms.pk, viejo.pk])
    assert ids(estado="enviado") == [sms.pk]
    assert ids(cliente=viejo.cliente_id) == [viejo.pk]
    assert ids(hasta=(ahora - datetime.timedelta(days=1)).isoformat()) == [viejo.pk]
    assert viejo.pk not in ids(desde=(ahora - datetime.timedelta(days=1)).isoformat())
    assert api.get(URL, {"estado": "perdido"}).status_code == 400


# --- the status callback -------------------------------------------------------------------------


def callback(client, canal, cuerpo, *, secreto=SECRETO, t=None, cabecera=None):
    body = json.dumps(cuerpo).encode()
    t = int(time.time()) if t is None else t
    cabecera = cabecera if cabecera is not None else f"t={t},v1={firma(secreto, t, body)}"
    return client.post(
        f"{URL}estado/{canal}/", data=body, content_type="application/json", HTTP_X_VETCLINIC_SIGNATURE=cabecera
    )


def test_a_signed_callback_marks_the_message_delivered(anon_client):
    mensaje = MensajeFactory(canal="sms", estado=EstadoMensaje.ENVIADO, proveedor_id="gw-1")

    response = callback(anon_client, "sms", {"id": "gw-1", "estado": "entregado"})

    assert (response.status_code, response.json()) == (200, {"actualizados": 1})
    mensaje.refresh_from_db()
    assert mensaje.estado == EstadoMensaje.ENTREGADO


def test_a_signed_failure_report_marks_it_fallido_with_its_error_and_publishes_the_event(anon_client, monkeypatch):
    vistos = []
    monkeypatch.setattr(events, "_recorders", [lambda tipo, *, instance, sede, datos: vistos.append((tipo, datos))])
    mensaje = MensajeFactory(canal="whatsapp", estado=EstadoMensaje.ENVIADO, proveedor_id="SM7")

    response = callback(anon_client, "whatsapp", {"id": "SM7", "estado": "fallido", "error": "número inexistente"})

    assert response.status_code == 200
    mensaje.refresh_from_db()
    assert (mensaje.estado, mensaje.error) == (EstadoMensaje.FALLIDO, "número inexistente")
    assert [tipo for tipo, _datos in vistos] == ["mensaje.fallido"]


@pytest.mark.parametrize(
    "falsificacion",
    [
        {"secreto": "otro-secreto"},  # signed with another secret
        {"cabecera": ""},  # unsigned
        {"cabecera": "t=1,v1=deadbeef"},  # made up
        {"t": int(time.time()) - 301},  # older than 5 minutes
    ],
)
def test_a_forged_or_stale_callback_is_403_and_changes_nothing(anon_client, falsificacion):
    mensaje = MensajeFactory(canal="sms", estado=EstadoMensaje.ENVIADO, proveedor_id="gw-1")

    response = callback(anon_client, "sms", {"id": "gw-1", "estado": "entregado"}, **falsificacion)

    assert response.status_code == 403
    assert error_codes(response) == {None: ["permission_denied"]}
    mensaje.refresh_from_db()
    assert mensaje.estado == EstadoMensaje.ENVIADO


@pytest.mark.parametrize(
    "cabecera",
    [
        "t={t},v1=\u00e9\u00e9",  # non-ASCII v1, as a latin-1 header decodes it
        "t=" + "9" * 400 + ",v1=deadbeef",  # a timestamp too large to compare with the clock
    ],
)
def test_a_malformed_signature_header_is_403_not_an_error(anon_client, cabecera):
    mensaje = MensajeFactory(canal="sms", estado=EstadoMensaje.ENVIADO, proveedor_id="gw-1")

    response = callback(
        anon_client, "sms", {"id": "gw-1", "estado": "entregado"}, cabecera=cabecera.format(t=int(time.time()))
    )

    assert response.status_code == 403
    assert error_codes(response) == {None: ["permission_denied"]}
    mensaje.refresh_from_db()
    assert mensaje.estado == EstadoMensaje.ENVIADO


def test_a_null_error_is_no_error(anon_client):
    mensaje = MensajeFactory(canal="sms", estado=EstadoMensaje.ENVIADO, proveedor_id="gw-1")

    response = callback(anon_client, "sms", {"id": "gw-1", "estado": "entregado", "error": None})

    assert (response.status_code, response.json()) == (200, {"actualizados": 1})
    mensaje.refresh_from_db()
    assert (mensaje.estado, mensaje.error) == (EstadoMensaje.ENTREGADO, "")


def test_a_body_changed_after_signing_is_403(anon_client):
    MensajeFactory(canal="sms", estado=EstadoMensaje.ENVIADO, proveedor_id="gw-1")
    t = int(time.time())
    firmado = firma(SECRETO, t, json.dumps({"id": "gw-1", "estado": "entregado"}).encode())

    response = callback(anon_client, "sms", {"id": "gw-1", "estado": "fallido"}, cabecera=f"t={t},v1={firmado}")

    assert response.status_code == 403


def test_without_a_configured_secret_every_callback_is_refused(anon_client, settings):
    settings.MENSAJES_CALLBACK_SECRET = ""
    MensajeFactory(canal="sms", proveedor_id="gw-1")

    assert callback(anon_client, "sms", {"id": "gw-1", "estado": "entregado"}, secreto="").status_code == 403


def test_an_unknown_provider_id_or_channel_is_404_and_a_bad_estado_400(anon_client):
    MensajeFactory(canal="sms", estado=EstadoMensaje.ENVIADO, proveedor_id="gw-1")

    assert callback(anon_client, "sms", {"id": "gw-2", "estado": "entregado"}).status_code == 404
    assert callback(anon_client, "whatsapp", {"id": "gw-1", "estado": "entregado"}).status_code == 404
    assert callback(anon_client, "fax", {"id": "gw-1", "estado": "entregado"}).status_code == 404
    response = callback(anon_client, "sms", {"id": "gw-1", "estado": "leido"})
    assert error_codes(response) == {"estado": ["invalid_choice"]}
    assert Mensaje.objects.get().estado == EstadoMensaje.ENVIADO


def test_the_log_runs_a_constant_number_of_queries(api_client, django_assert_max_num_queries):
    api = api_client(Rol.ADMIN)
    MensajeFactory.create_batch(3)
    api.get(URL)  # the user's first request warms what a login caches
    MensajeFactory.create_batch(20)

    with django_assert_max_num_queries(4):
        response = api.get(URL, {"page_size": 20})

    assert len(response.json()["results"]) == 20
