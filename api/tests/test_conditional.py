"""Conditional requests (contract: "Concurrency and retries"): every detail GET answers a strong
ETag of what the caller sees; If-None-Match → 304; a stale If-Match on any write → 412
precondition_failed with nothing written; a write's answer carries the new tag."""

import pytest

from api.conditional import etag_for, if_match_passes, if_none_match_matches
from api.tests.utils import error_code
from citas.models import Cita, EstadoCita
from citas.tests.factories import BloqueoFactory, CitaFactory, HorarioFactory
from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from historial.tests.factories import ConsultaFactory, VacunaFactory
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db


def tag_of(api, path):
    response = api.get(path)
    assert response.status_code == 200
    return response["ETag"]


# --- ETag on reads -----------------------------------------------------------------------


DETAIL_PATHS = {
    "cita": lambda: f"/api/v1/citas/{CitaFactory().pk}/",
    "cliente": lambda: f"/api/v1/clientes/{ClienteFactory().pk}/",
    "paciente": lambda: f"/api/v1/pacientes/{PacienteFactory().pk}/",
    "historial": lambda: f"/api/v1/pacientes/{PacienteFactory().pk}/historial/",
    "pesos": lambda: f"/api/v1/pacientes/{PacienteFactory().pk}/pesos/",
    "consulta": lambda: f"/api/v1/consultas/{ConsultaFactory().pk}/",
    "vacuna": lambda: f"/api/v1/vacunas/{VacunaFactory().pk}/",
    "horario": lambda: f"/api/v1/horarios/{HorarioFactory().pk}/",
    "bloqueo": lambda: f"/api/v1/bloqueos/{BloqueoFactory().pk}/",
    "me": lambda: "/api/v1/auth/me/",
}


@pytest.mark.parametrize("resource", sorted(DETAIL_PATHS))
def test_every_detail_get_answers_a_strong_etag_that_is_stable(api_client, resource):
    api = api_client("admin")
    path = DETAIL_PATHS[resource]()

    first, second = api.get(path), api.get(path)

    assert first.status_code == 200
    assert first["ETag"].startswith('"') and first["ETag"].endswith('"')  # strong: no W/
    assert first["ETag"] == second["ETag"] == etag_for(first.json())


def test_usuarios_detail_has_an_etag(api_client, veterinario):
    api = api_client("admin")

    assert tag_of(api, f"/api/v1/usuarios/{veterinario.pk}/")


def test_lists_carry_no_etag(api_client):
    CitaFactory()

    response = api_client("admin").get("/api/v1/citas/")

    assert response.status_code == 200
    assert not response.has_header("ETag")


def test_the_etag_changes_when_the_object_changes(api_client):
    api = api_client("recepcionista")
    cita = CitaFactory()
    path = f"/api/v1/citas/{cita.pk}/"
    before = tag_of(api, path)

    api.patch(path, {"motivo": "Vacunación anual"})

    assert tag_of(api, path) != before


def test_the_etag_follows_annotated_fields_such_as_num_pacientes(api_client):
    api = api_client("recepcionista")
    cliente = ClienteFactory()
    path = f"/api/v1/clientes/{cliente.pk}/"
    before = tag_of(api, path)

    PacienteFactory(propietario=cliente)  # the cliente's row is untouched

    response = api.get(path)
    assert response.json()["num_pacientes"] == 1
    assert response["ETag"] != before


def test_the_historial_etag_changes_with_a_new_consulta(api_client):
    api = api_client("veterinario")
    paciente = PacienteFactory()
    path = f"/api/v1/pacientes/{paciente.pk}/historial/"
    before = tag_of(api, path)

    ConsultaFactory(paciente=paciente)

    assert tag_of(api, path) != before


def test_if_none_match_with_the_current_tag_is_304_without_a_body(api_client):
    api = api_client("admin")
    path = f"/api/v1/citas/{CitaFactory().pk}/"
    tag = tag_of(api, path)

    response = api.get(path, HTTP_IF_NONE_MATCH=tag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == tag


@pytest.mark.parametrize("header", ["W/{tag}", '"otro", {tag}', "*"])
def test_if_none_match_compares_weakly_and_takes_lists_and_star(api_client, header):
    api = api_client("admin")
    path = f"/api/v1/clientes/{ClienteFactory().pk}/"
    tag = tag_of(api, path)

    response = api.get(path, HTTP_IF_NONE_MATCH=header.format(tag=tag))

    assert response.status_code == 304


def test_if_none_match_with_a_stale_tag_answers_the_object(api_client):
    api = api_client("admin")
    cliente = ClienteFactory()
    path = f"/api/v1/clientes/{cliente.pk}/"
    stale = tag_of(api, path)
    PacienteFactory(propietario=cliente)

    response = api.get(path, HTTP_IF_NONE_MATCH=stale)

    assert response.status_code == 200
    assert response.json()["num_pacientes"] == 1
    assert response["ETag"] != stale


# --- If-Match on writes ------------------------------------------------------------------


def test_a_write_answers_the_new_etag_a_get_then_shows(api_client):
    api = api_client("recepcionista")
    path = f"/api/v1/citas/{CitaFactory().pk}/"
    before = tag_of(api, path)

    patched = api.patch(path, {"notas": "Trae análisis"}, HTTP_IF_MATCH=before)

    assert patched.status_code == 200
    assert patched["ETag"] != before
    assert patched["ETag"] == tag_of(api, path)


def test_a_create_answers_the_etag_of_the_new_object(api_client):
    api = api_client("recepcionista")

    created = api.post("/api/v1/clientes/", {"nombre": "Ana", "apellidos": "Gil", "telefono": "+34600111222"})

    assert created.status_code == 201
    assert created["ETag"] == tag_of(api, f"/api/v1/clientes/{created.json()['id']}/")


def test_put_with_the_current_tag_writes(api_client):
    api = api_client("recepcionista")
    cliente = ClienteFactory()
    path = f"/api/v1/clientes/{cliente.pk}/"
    body = {"nombre": "Lucía", "apellidos": "Pardo", "telefono": "+34600111222"}

    response = api.put(path, body, HTTP_IF_MATCH=tag_of(api, path))

    assert response.status_code == 200
    cliente.refresh_from_db()
    assert cliente.nombre == "Lucía"


def test_put_with_a_stale_tag_is_412_and_writes_nothing(api_client):
    api = api_client("recepcionista")
    cliente = ClienteFactory(nombre="Antes")
    path = f"/api/v1/clientes/{cliente.pk}/"
    stale = tag_of(api, path)
    api.patch(path, {"ciudad": "Toledo"})  # someone else's write since that read

    body = {"nombre": "Después", "apellidos": "Pardo", "telefono": "+34600111222"}

    response = api.put(path, body, HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert error_code(response) == "precondition_failed"
    cliente.refresh_from_db()
    assert cliente.nombre == "Antes"


def test_patch_with_a_stale_tag_is_412_and_writes_nothing(api_client):
    api = api_client("recepcionista")
    cita = CitaFactory(motivo="Revisión")
    path = f"/api/v1/citas/{cita.pk}/"
    stale = tag_of(api, path)
    Cita.objects.filter(pk=cita.pk).update(notas="cambiada por otro")

    response = api.patch(path, {"motivo": "Otra cosa"}, HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert error_code(response) == "precondition_failed"
    assert Cita.objects.get(pk=cita.pk).motivo == "Revisión"


def test_delete_with_a_stale_tag_is_412_and_deletes_nothing(api_client):
    api = api_client("admin")
    cliente = ClienteFactory()
    path = f"/api/v1/clientes/{cliente.pk}/"
    stale = tag_of(api, path)
    Cliente.objects.filter(pk=cliente.pk).update(ciudad="Soria")

    response = api.delete(path, HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert Cliente.objects.filter(pk=cliente.pk).exists()


def test_delete_with_the_current_tag_deletes(api_client):
    api = api_client("admin")
    cliente = ClienteFactory()
    path = f"/api/v1/clientes/{cliente.pk}/"

    response = api.delete(path, HTTP_IF_MATCH=tag_of(api, path))

    assert response.status_code == 204
    assert not Cliente.objects.filter(pk=cliente.pk).exists()


@pytest.mark.parametrize("accion", ["confirmar", "iniciar", "cancelar", "no-asistio"])
def test_a_state_action_with_a_stale_tag_is_412_and_the_state_stays(api_client, accion):
    api = api_client("recepcionista")
    cita = CitaFactory()
    path = f"/api/v1/citas/{cita.pk}/"
    stale = tag_of(api, path)
    Cita.objects.filter(pk=cita.pk).update(notas="otro la tocó")

    response = api.post(f"{path}{accion}/", {}, HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert Cita.objects.get(pk=cita.pk).estado == EstadoCita.PROGRAMADA


def test_a_state_action_with_the_current_tag_runs_and_answers_the_new_tag(api_client):
    api = api_client("recepcionista")
    cita = CitaFactory(estado=EstadoCita.EN_CURSO)
    path = f"/api/v1/citas/{cita.pk}/"

    response = api.post(f"{path}completar/", {}, HTTP_IF_MATCH=tag_of(api, path))

    assert response.status_code == 200
    assert Cita.objects.get(pk=cita.pk).estado == EstadoCita.COMPLETADA
    assert response["ETag"] == tag_of(api, path)


def test_a_weak_version_of_the_current_tag_does_not_match_if_match(api_client):
    api = api_client("recepcionista")
    cita = CitaFactory(motivo="Revisión")
    path = f"/api/v1/citas/{cita.pk}/"

    response = api.patch(path, {"motivo": "Otra"}, HTTP_IF_MATCH=f"W/{tag_of(api, path)}")

    assert response.status_code == 412
    assert Cita.objects.get(pk=cita.pk).motivo == "Revisión"


@pytest.mark.parametrize("header", ["*", '"viejo", {tag}'])
def test_if_match_star_or_a_list_holding_the_current_tag_writes(api_client, header):
    api = api_client("recepcionista")
    cita = CitaFactory()
    path = f"/api/v1/citas/{cita.pk}/"

    response = api.patch(path, {"motivo": "Otra"}, HTTP_IF_MATCH=header.format(tag=tag_of(api, path)))

    assert response.status_code == 200
    assert Cita.objects.get(pk=cita.pk).motivo == "Otra"


@pytest.mark.parametrize("header", ["sin-comillas", '"viejo", "otro"', ""])
def test_if_match_that_names_no_current_tag_is_412(api_client, header):
    api = api_client("recepcionista")
    cita = CitaFactory(motivo="Revisión")

    response = api.patch(f"/api/v1/citas/{cita.pk}/", {"motivo": "Otra"}, HTTP_IF_MATCH=header)

    assert response.status_code == 412
    assert Cita.objects.get(pk=cita.pk).motivo == "Revisión"


def test_if_none_match_star_on_a_write_is_412(api_client):
    api = api_client("recepcionista")
    cita = CitaFactory(motivo="Revisión")

    response = api.patch(f"/api/v1/citas/{cita.pk}/", {"motivo": "Otra"}, HTTP_IF_NONE_MATCH="*")

    assert response.status_code == 412
    assert Cita.objects.get(pk=cita.pk).motivo == "Revisión"


def test_if_match_on_an_object_outside_the_scope_is_still_404(client_for, cliente):
    other = CitaFactory()

    response = client_for(cliente.usuario).post(f"/api/v1/citas/{other.pk}/cancelar/", {}, HTTP_IF_MATCH="*")

    assert response.status_code == 404


def test_me_patch_with_a_stale_tag_is_412_and_with_the_current_one_writes(client_for, veterinario):
    api = client_for(veterinario)
    stale = tag_of(api, "/api/v1/auth/me/")
    api.patch("/api/v1/auth/me/", {"telefono": "+34 600 000 001"})

    refused = api.patch("/api/v1/auth/me/", {"nombre": "Otro"}, HTTP_IF_MATCH=stale)
    accepted = api.patch("/api/v1/auth/me/", {"nombre": "Otro"}, HTTP_IF_MATCH=tag_of(api, "/api/v1/auth/me/"))

    assert refused.status_code == 412
    assert accepted.status_code == 200
    assert accepted.json()["nombre"] == "Otro"
    assert accepted["ETag"] == tag_of(api, "/api/v1/auth/me/")


def test_a_write_without_preconditions_works_as_before(api_client):
    api = api_client("recepcionista")
    cita = CitaFactory()

    response = api.patch(f"/api/v1/citas/{cita.pk}/", {"motivo": "Sin cabeceras"})

    assert response.status_code == 200
    assert Cita.objects.get(pk=cita.pk).motivo == "Sin cabeceras"


# --- the comparisons themselves (RFC 9110 §13.1.1 and §13.1.2) -----------------------------


@pytest.mark.parametrize(
    "header, passes",
    [('"a"', True), ('W/"a"', False), ("*", True), ('"b", "a"', True), ('"b"', False), ("a", False), ("", False)],
)
def test_if_match_uses_the_strong_comparison(header, passes):
    assert if_match_passes('"a"', header) is passes


@pytest.mark.parametrize(
    "header, matches",
    [('"a"', True), ('W/"a"', True), ("*", True), ('"b", W/"a"', True), ('"b"', False), ("a", False)],
)
def test_if_none_match_uses_the_weak_comparison(header, matches):
    assert if_none_match_matches('"a"', header) is matches
