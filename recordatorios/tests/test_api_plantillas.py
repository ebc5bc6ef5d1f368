"""/api/v1/plantillas/: admin CRUD, veterinario and recepcionista read, cliente 403."""

import pytest

from accounts.models import Rol
from recordatorios.models import Plantilla
from recordatorios.tests.factories import PlantillaFactory
from sedes.tests.factories import SedeFactory
from tests.errors import error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/plantillas/"


def nueva(**campos):
    return {
        "tipo": "cita",
        "canal": "sms",
        "idioma": "es",
        "cuerpo": "{paciente}: cita el {fecha} a las {hora}",
        **campos,
    }


def test_anonymous_is_401(anon_client):
    assert anon_client.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("rol", "lee", "escribe"),
    [
        (Rol.ADMIN, 200, 201),
        (Rol.VETERINARIO, 200, 403),
        (Rol.RECEPCIONISTA, 200, 403),
        (Rol.CLIENTE, 403, 403),
    ],
)
def test_role_matrix(api_client, rol, lee, escribe):
    api = api_client(rol)

    assert api.get(URL).status_code == lee
    assert api.post(URL, nueva(), format="json").status_code == escribe


def test_only_an_admin_changes_or_deletes(api_client):
    plantilla = PlantillaFactory()
    recepcion = api_client(Rol.RECEPCIONISTA)
    admin = api_client(Rol.ADMIN)

    assert recepcion.patch(f"{URL}{plantilla.pk}/", {"activo": False}, format="json").status_code == 403
    assert recepcion.delete(f"{URL}{plantilla.pk}/").status_code == 403
    assert admin.patch(f"{URL}{plantilla.pk}/", {"cuerpo": "{sede}: {fecha}"}, format="json").status_code == 200
    assert admin.delete(f"{URL}{plantilla.pk}/").status_code == 204
    assert not Plantilla.objects.exists()


def test_the_answer_carries_the_segments_of_the_body(api_client):
    sede = SedeFactory()

    response = api_client(Rol.ADMIN).post(URL, nueva(sede=sede.pk, cuerpo="{paciente} " + "x" * 160), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["segmentos"] == 2
    assert (body["sede"], body["tipo"], body["canal"], body["idioma"], body["activo"]) == (
        sede.pk,
        "cita",
        "sms",
        "es",
        True,
    )


def test_a_template_with_an_unknown_variable_is_400(api_client):
    response = api_client(Rol.ADMIN).post(URL, nueva(cuerpo="Hola {cliente}, {mascota} tiene cita"), format="json")

    assert response.status_code == 400
    assert error_codes(response) == {"cuerpo": ["variable_desconocida"]}
    assert not Plantilla.objects.exists()


def test_an_unknown_variable_in_the_subject_is_400(api_client):
    response = api_client(Rol.ADMIN).post(URL, nueva(canal="email", asunto="{clinica}: recordatorio"), format="json")

    assert error_codes(response) == {"asunto": ["variable_desconocida"]}


@pytest.mark.parametrize(("canal", "maximo"), [("sms", 1600), ("whatsapp", 4096), ("email", 2000)])
def test_a_body_longer_than_its_channel_allows_is_400(api_client, canal, maximo):
    api = api_client(Rol.ADMIN)

    largo = api.post(URL, nueva(canal=canal, cuerpo="x" * (maximo + 1)), format="json")
    justo = api.post(URL, nueva(canal=canal, cuerpo="x" * maximo), format="json")

    assert error_codes(largo) == {"cuerpo": ["max_length"]}
    assert justo.status_code == 201, justo.json()


@pytest.mark.parametrize("canal", ["sms", "whatsapp"])
def test_a_subject_is_for_email_only(api_client, canal):
    api = api_client(Rol.ADMIN)
    plantilla = PlantillaFactory(canal="email", asunto="Recordatorio de {paciente}")

    creada = api.post(URL, nueva(canal=canal, asunto="Recordatorio"), format="json")
    cambiada = api.patch(f"{URL}{plantilla.pk}/", {"canal": canal}, format="json")

    assert error_codes(creada) == {"asunto": ["asunto_solo_email"]}
    assert error_codes(cambiada) == {"asunto": ["asunto_solo_email"]}
    assert list(Plantilla.objects.values_list("canal", flat=True)) == ["email"]


def test_a_second_active_template_for_the_same_key_is_400(api_client):
    PlantillaFactory(tipo="cita", canal="sms", idioma="es", sede=None)

    response = api_client(Rol.ADMIN).post(URL, nueva(), format="json")

    assert response.status_code == 400
    assert "unique" in sum(error_codes(response).values(), [])


def test_filters(api_client):
    sede = SedeFactory()
    sms = PlantillaFactory(canal="sms", sede=sede)
    PlantillaFactory(canal="whatsapp")

    response = api_client(Rol.VETERINARIO).get(URL, {"canal": "sms", "sede": sede.pk})

    assert [p["id"] for p in response.json()["results"]] == [sms.pk]
    assert api_client(Rol.VETERINARIO).get(URL, {"canal": "fax"}).status_code == 400
