"""An integration key narrowed to sedes stays inside them: what it sees (404 outside), what it
names in filters and fields (400 does_not_exist), where it points webhooks, and a deletion or
deactivation of a sede never widens it to all of them. A key is no person: /auth/ is not its."""

import datetime

import pytest
from rest_framework.test import APIClient

from accounts.models import Rol
from accounts.tests.factories import VeterinarioFactory
from historial.models import Consulta
from historial.tests.factories import ConsultaFactory
from integraciones.models import Integracion, Webhook
from recordatorios.tests.factories import MensajeFactory, PlantillaFactory
from sedes.models import Sede
from sedes.tests.factories import SedeFactory
from tests.errors import error_code, error_codes

from .factories import WebhookFactory, integracion_con_clave

pytestmark = pytest.mark.django_db

HOOK = "https://example.com/hook"


def key_client(clave):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {clave}")
    return api


@pytest.fixture
def dos_sedes():
    return SedeFactory(), SedeFactory()


def clave_de(sede, *permisos):
    _integracion, clave = integracion_con_clave(permisos=list(permisos), sedes=[sede])
    return key_client(clave)


# --- webhooks ----------------------------------------------------------------------------------


def test_a_key_cannot_point_a_new_webhook_at_another_sede(dos_sedes):
    otra, suya = dos_sedes
    api = clave_de(suya, "webhooks:write", "webhooks:read")

    response = api.post("/api/v1/webhooks/", {"url": HOOK, "eventos": ["*"], "sede": otra.pk}, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"sede": ["does_not_exist"]}
    assert not Webhook.objects.exists()
    # at its own sede it may
    response = api.post("/api/v1/webhooks/", {"url": HOOK, "eventos": ["*"], "sede": suya.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert Webhook.objects.get().sede == suya


@pytest.mark.parametrize("body", [{}, {"sede": None}])
def test_a_key_narrowed_to_sedes_cannot_create_a_webhook_of_all_sedes(api_client, dos_sedes, body):
    _otra, suya = dos_sedes
    api = clave_de(suya, "webhooks:write", "webhooks:read")

    response = api.post("/api/v1/webhooks/", {"url": HOOK, "eventos": ["*"], **body}, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"sede": ["required"]}
    assert not Webhook.objects.exists()
    # an admin's own login may
    response = api_client("admin").post("/api/v1/webhooks/", {"url": HOOK, "eventos": ["*"], **body}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["sede"] is None


@pytest.mark.parametrize("moved_to", ["otra", None])
def test_a_key_cannot_move_its_webhook_to_another_sede_or_to_all(dos_sedes, moved_to):
    otra, suya = dos_sedes
    webhook = WebhookFactory(sede=suya)
    api = clave_de(suya, "webhooks:write", "webhooks:read")

    sede = otra.pk if moved_to == "otra" else None
    response = api.patch(f"/api/v1/webhooks/{webhook.pk}/", {"sede": sede}, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"sede": ["does_not_exist" if moved_to else "required"]}
    webhook.refresh_from_db()
    assert webhook.sede == suya


# --- the sedes a key sees and names ------------------------------------------------------------


def test_a_key_sees_only_its_sedes(dos_sedes):
    otra, suya = dos_sedes
    api = clave_de(suya, "sedes:read")

    response = api.get(f"/api/v1/sedes/{otra.pk}/")
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert api.get(f"/api/v1/sedes/{suya.pk}/").status_code == 200
    assert [s["id"] for s in api.get("/api/v1/sedes/").json()["results"]] == [suya.pk]


@pytest.mark.parametrize(
    ("permiso", "path", "code"),
    [
        ("facturas:read", "/api/v1/facturas/verificar-cadena/", "does_not_exist"),
        ("facturas:read", "/api/v1/facturas/resumen/", "does_not_exist"),
        ("facturas:read", "/api/v1/facturas/", "invalid_choice"),
        ("eventos:read", "/api/v1/eventos/", "invalid_choice"),
        ("citas:read", "/api/v1/citas/", "invalid_choice"),
        ("recordatorios:read", "/api/v1/recordatorios/", "does_not_exist"),
    ],
)
def test_a_sede_outside_the_key_is_unknown_as_a_filter(dos_sedes, permiso, path, code):
    otra, suya = dos_sedes
    api = clave_de(suya, permiso)

    response = api.get(path, {"sede": otra.pk})

    assert response.status_code == 400
    assert error_codes(response) == {"sede": [code]}
    assert api.get(path, {"sede": suya.pk}).status_code == 200


# --- deleting or deactivating a sede never widens a key ------------------------------------------


def test_a_sede_an_integration_key_is_narrowed_to_is_not_deleted(api_client):
    sede = SedeFactory()
    integracion, _clave = integracion_con_clave(permisos=["citas:read"], sedes=[sede])

    response = api_client("admin").delete(f"/api/v1/sedes/{sede.pk}/")

    assert response.status_code == 409
    assert error_code(response) == "tiene_historial"
    assert list(Integracion.objects.get(pk=integracion.pk).sedes.all()) == [sede]
    # a sede nothing names is still deleted
    assert api_client("admin").delete(f"/api/v1/sedes/{SedeFactory().pk}/").status_code == 204


@pytest.mark.parametrize("referencia", ["webhook", "plantilla"])
def test_a_sede_with_webhooks_or_plantillas_is_not_deleted_with_them(api_client, referencia):
    sede = SedeFactory()
    row = WebhookFactory(sede=sede) if referencia == "webhook" else PlantillaFactory(sede=sede)

    response = api_client("admin").delete(f"/api/v1/sedes/{sede.pk}/")

    assert response.status_code == 409
    assert error_code(response) == "tiene_historial"
    assert type(row).objects.filter(pk=row.pk).exists()
    assert Sede.objects.filter(pk=sede.pk).exists()


def test_a_key_whose_sede_is_deactivated_stays_narrowed_to_it(api_client, dos_sedes):
    otra, suya = dos_sedes
    api = clave_de(suya, "sedes:read")

    assert api_client("admin").patch(f"/api/v1/sedes/{suya.pk}/", {"activo": False}).status_code == 200

    assert api.get(f"/api/v1/sedes/{otra.pk}/").status_code == 404
    assert [s["id"] for s in api.get("/api/v1/sedes/").json()["results"]] == [suya.pk]


# --- /auth/ is not a key's -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/auth/me/", None),
        ("patch", "/api/v1/auth/me/", {"nombre": "Otro"}),
        ("post", "/api/v1/auth/password/", {"password_actual": "x", "password_nueva": "Otra-clave-larga-1"}),
    ],
)
@pytest.mark.parametrize("permisos", [[], ["clientes:read", "clientes:write"]])
def test_a_key_gets_403_on_the_auth_views(method, path, body, permisos):
    integracion, clave = integracion_con_clave(permisos=permisos)

    response = getattr(key_client(clave), method)(path, body, format="json")

    assert response.status_code == 403
    assert error_code(response) == "permission_denied"
    integracion.usuario.refresh_from_db()
    assert integracion.usuario.nombre == "Integración ERP"


# --- one answer for "where may this user act", and works_at agrees with it -----------------------


def test_the_sedes_a_user_acts_at_and_works_at_agree(dos_sedes):
    from accounts.scoping import sedes_de_trabajo, sedes_visibles, works_at
    from accounts.tests.factories import AdminFactory, ClienteUserFactory, VeterinarioFactory

    otra, suya = dos_sedes
    vet = VeterinarioFactory()
    suya.personal.add(vet)
    integracion, _clave = integracion_con_clave(permisos=[], sedes=[suya])
    clave = integracion.usuario
    clave.sedes_integracion = [suya.pk]  # as integraciones.authentication sets it
    todas = set(Sede.objects.values_list("pk", flat=True))

    de_vet = set(vet.sedes.values_list("pk", flat=True))
    assert suya.pk in de_vet and otra.pk not in de_vet
    expected = {AdminFactory(): todas, vet: de_vet, clave: {suya.pk}, ClienteUserFactory(): set()}
    for user, sedes in expected.items():
        assert set(sedes_de_trabajo(user).values_list("pk", flat=True)) == sedes, user.rol
        assert {pk for pk in todas if works_at(user, pk)} == sedes, user.rol
    # staff see every sede but a key, its own
    assert set(sedes_visibles(vet).values_list("pk", flat=True)) == todas
    assert set(sedes_visibles(clave).values_list("pk", flat=True)) == {suya.pk}
    assert otra.pk not in set(Sede.objects.visible_to(clave).values_list("pk", flat=True))


# --- the clinical record -----------------------------------------------------------------------


def test_a_key_reaches_only_the_consultas_of_its_sedes_though_staff_read_them_all(dos_sedes, api_client):
    otra, suya = dos_sedes
    ajena, propia = ConsultaFactory(sede=otra), ConsultaFactory(sede=suya)
    api = clave_de(suya, "consultas:read", "consultas:write")

    assert [c["id"] for c in api.get("/api/v1/consultas/").json()["results"]] == [propia.pk]
    assert api.get(f"/api/v1/consultas/{ajena.pk}/").status_code == 404
    assert api.patch(f"/api/v1/consultas/{ajena.pk}/", {"notas": "x"}, format="json").status_code == 404
    assert api.delete(f"/api/v1/consultas/{ajena.pk}/").status_code == 404
    assert Consulta.objects.filter(pk=ajena.pk, notas=ajena.notas).exists()
    # a vet of the key's sede still reads the whole record
    assert api_client(Rol.VETERINARIO).get(f"/api/v1/consultas/{ajena.pk}/").status_code == 200


# --- agenda and reminders ------------------------------------------------------------------------


def test_disponibilidad_offers_a_key_only_the_slots_at_its_sedes(dos_sedes):
    # given a vet working at both sedes (the clinic's hours at each, no horario rows)
    otra, suya = dos_sedes
    vet = VeterinarioFactory()
    vet.sedes.set([otra, suya])
    hoy = datetime.date.today()
    lunes = hoy + datetime.timedelta(days=7 - hoy.weekday())
    api = clave_de(suya, "citas:read")

    response = api.get("/api/v1/citas/disponibilidad/", {"veterinario": vet.pk, "fecha": lunes.isoformat()})

    assert response.status_code == 200, response.json()
    sedes = {hueco["sede"] for hueco in response.json()["huecos"]}
    assert sedes == {suya.pk}


def test_a_key_reads_and_writes_only_the_plantillas_and_mensajes_of_its_sedes(dos_sedes):
    otra, suya = dos_sedes
    de_otra, de_todas, de_la_suya = (
        PlantillaFactory(sede=otra),
        PlantillaFactory(idioma="en"),
        PlantillaFactory(sede=suya),
    )
    mensajes = {sede: MensajeFactory(sede=sede) for sede in (otra, suya)}
    api = clave_de(suya, "plantillas:read", "plantillas:write", "mensajes:read")

    # what is at the other sede, or at every sede, is not there for it
    assert [p["id"] for p in api.get("/api/v1/plantillas/").json()["results"]] == [de_la_suya.pk]
    for plantilla in (de_otra, de_todas):
        assert api.patch(f"/api/v1/plantillas/{plantilla.pk}/", {"activo": False}).status_code == 404
    assert [m["id"] for m in api.get("/api/v1/mensajes/").json()["results"]] == [mensajes[suya].pk]
    assert api.get(f"/api/v1/mensajes/{mensajes[otra].pk}/").status_code == 404

    # nor may it write a template for another sede or for all of them
    cuerpo = {"tipo": "cita", "canal": "sms", "idioma": "es", "cuerpo": "{paciente} el {fecha}"}
    for sede, code in ((otra.pk, "does_not_exist"), (None, "required")):
        response = api.post("/api/v1/plantillas/", {**cuerpo, "sede": sede}, format="json")
        assert response.status_code == 400
        assert error_codes(response) == {"sede": [code]}
    assert api.post("/api/v1/plantillas/", {**cuerpo, "sede": suya.pk}, format="json").status_code == 201
    assert api.patch(f"/api/v1/plantillas/{de_la_suya.pk}/", {"sede": otra.pk}, format="json").status_code == 400


def test_a_key_writes_horarios_only_at_its_sedes(dos_sedes):
    otra, suya = dos_sedes
    vet = VeterinarioFactory()
    vet.sedes.set([otra, suya])
    api = clave_de(suya, "horarios:write", "horarios:read")
    horario = {"veterinario": vet.pk, "dia_semana": 0, "hora_inicio": "09:00", "hora_fin": "13:00"}

    response = api.post("/api/v1/horarios/", {**horario, "sede": otra.pk}, format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"sede": ["does_not_exist"]}
    assert api.post("/api/v1/horarios/", {**horario, "sede": suya.pk}, format="json").status_code == 201


def test_a_key_without_facturas_write_records_a_vacuna_but_cannot_charge_it(dos_sedes):
    from facturacion.models import Factura
    from facturacion.tests.factories import ProductoFactory
    from historial.models import Vacuna
    from pacientes.tests.factories import PacienteFactory

    _otra, suya = dos_sedes
    api = clave_de(suya, "vacunas:write", "vacunas:read")
    vacuna = {"paciente": PacienteFactory().pk, "nombre": "Rabia", "fecha_aplicacion": "2026-01-10", "sede": suya.pk}

    response = api.post(
        "/api/v1/vacunas/", {**vacuna, "productos": [{"producto": ProductoFactory().pk}]}, format="json"
    )

    assert response.status_code == 403
    assert not Vacuna.objects.exists() and not Factura.objects.exists()
    assert api.post("/api/v1/vacunas/", vacuna, format="json").status_code == 201
