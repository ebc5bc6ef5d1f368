"""The outbox: one event per change, in the change's transaction, with ids in commit order."""

import threading
import time

import pytest
from django.db import connection, transaction

from citas.tests.factories import CitaFactory
from clientes.models import Cliente
from clientes.services import cliente_update
from clientes.tests.factories import ClienteFactory
from conftest import run_at_once
from core import events
from integraciones.models import Evento
from pacientes.tests.factories import PacienteFactory
from tests.errors import error_codes

CLIENTE = {"nombre": "Ana", "apellidos": "Gil", "telefono": "+34600111222"}


@pytest.mark.django_db
def test_creating_a_cliente_writes_one_event_with_the_api_representation(api_client):
    # given an admin
    api = api_client("admin")

    # when a cliente is created through the API
    response = api.post("/api/v1/clientes/", CLIENTE)

    # then one cliente.creado event holds the object exactly as the API answered it
    assert response.status_code == 201
    evento = Evento.objects.get()
    assert (evento.tipo, evento.objeto_id, evento.sede_id) == ("cliente.creado", response.json()["id"], None)
    assert evento.datos == response.json()


@pytest.mark.django_db
def test_an_update_that_changes_nothing_writes_no_event(admin_user):
    cliente = ClienteFactory(nombre="Ana")

    cliente_update(actor=admin_user, cliente=cliente, data={"nombre": "Ana"})

    assert not Evento.objects.exists()


@pytest.mark.django_db
def test_a_refused_delete_leaves_no_event(api_client):
    # given a cliente with a paciente (its delete is a 409)
    paciente = PacienteFactory()

    # when an admin tries to delete it
    response = api_client("admin").delete(f"/api/v1/clientes/{paciente.propietario_id}/")

    # then nothing was written, the event included
    assert response.status_code == 409
    assert error_codes(response) == {None: ["tiene_historial"]}
    assert not Evento.objects.exists()
    assert Cliente.objects.filter(pk=paciente.propietario_id).exists()


@pytest.mark.django_db
def test_a_deletion_event_carries_only_the_id(api_client):
    cliente = ClienteFactory()

    response = api_client("admin").delete(f"/api/v1/clientes/{cliente.pk}/")

    assert response.status_code == 204
    evento = Evento.objects.get()
    assert (evento.tipo, evento.objeto_id, evento.datos) == ("cliente.eliminado", cliente.pk, {"id": cliente.pk})


@pytest.mark.django_db
def test_a_state_change_event_adds_the_previous_state(api_client):
    cita = CitaFactory()

    response = api_client("admin").post(f"/api/v1/citas/{cita.pk}/confirmar/")

    assert response.status_code == 200
    evento = Evento.objects.get(tipo="cita.estado_cambiado")
    assert evento.datos["estado"] == "confirmada"
    assert evento.datos["estado_anterior"] == "programada"
    assert evento.datos["id"] == cita.pk


@pytest.mark.django_db
def test_an_import_writes_one_event_per_created_or_changed_row(tmp_path):
    # given a stored cliente and a file that changes it and adds another
    from django.core.management import call_command

    ClienteFactory(documento="11111111H", nombre="Viejo", apellidos="Gil", telefono="+34600000001")
    path = tmp_path / "clientes.csv"
    path.write_text(
        "documento,nombre,apellidos,telefono\n11111111H,Nuevo,Gil,+34600000001\n22222222J,Eva,Sanz,+34600000002\n",
        encoding="utf-8",
    )

    # when it is imported
    call_command("importar_clientes", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115

    # then one event per row written, each with the row's representation
    tipos = sorted(Evento.objects.values_list("tipo", "datos__nombre"))
    assert tipos == [("cliente.actualizado", "Nuevo"), ("cliente.creado", "Eva")]


# --- the feed --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_feed_answers_what_follows_despues_de_in_id_order(api_client):
    ClienteFactory.create_batch(3)
    for cliente in Cliente.objects.order_by("pk"):
        events.publish("cliente.actualizado", instance=cliente)
    ids = list(Evento.objects.values_list("pk", flat=True))

    response = api_client("admin").get(
        "/api/v1/eventos/", {"despues_de": ids[0], "page_size": 1, "paginacion": "cursor"}
    )

    assert response.status_code == 200
    body = response.json()
    assert [e["id"] for e in body["results"]] == [ids[1]]
    assert set(body["results"][0]) == {"id", "tipo", "creado_en", "sede", "objeto_id", "datos"}
    siguiente = api_client("admin").get(body["next"])
    assert [e["id"] for e in siguiente.json()["results"]] == [ids[2]]


@pytest.mark.django_db
def test_the_feed_is_cursor_paginated_by_id_unless_pages_are_asked_for(api_client):
    # the contract: "read-only, cursor-paginated by id" (no count of the whole table)
    for cliente in ClienteFactory.create_batch(3):
        events.publish("cliente.actualizado", instance=cliente)
    ids = list(Evento.objects.order_by("pk").values_list("pk", flat=True))
    api = api_client("admin")

    body = api.get("/api/v1/eventos/", {"page_size": 2}).json()

    assert set(body) == {"next", "previous", "results"}
    assert [e["id"] for e in body["results"]] == ids[:2]
    assert [e["id"] for e in api.get(body["next"]).json()["results"]] == ids[2:]
    # page mode still, when asked for
    assert api.get("/api/v1/eventos/", {"paginacion": "pagina"}).json()["count"] == 3
    assert api.get("/api/v1/eventos/", {"page": 1}).json()["count"] == 3


@pytest.mark.django_db
def test_the_feed_filters_by_tipo_repeated(api_client):
    cliente = ClienteFactory()
    for tipo in ("cliente.creado", "cliente.actualizado", "cliente.eliminado"):
        events.publish(tipo, instance=cliente)

    response = api_client("admin").get("/api/v1/eventos/?tipo=cliente.creado&tipo=cliente.eliminado")

    assert sorted(e["tipo"] for e in response.json()["results"]) == ["cliente.creado", "cliente.eliminado"]


@pytest.mark.django_db
@pytest.mark.parametrize("rol", ["veterinario", "recepcionista", "cliente"])
def test_the_feed_is_for_admins_only(api_client, rol):
    response = api_client(rol).get("/api/v1/eventos/")

    assert response.status_code == 403
    assert error_codes(response) == {None: ["permission_denied"]}


@pytest.mark.django_db
def test_the_feed_refuses_parameters_it_does_not_define(api_client):
    response = api_client("admin").get("/api/v1/eventos/?ordering=tipo")

    assert response.status_code == 400
    assert error_codes(response) == {"ordering": ["unknown_parameter"]}


# --- commit order (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_commit_their_events_in_id_order():
    """A writer that took an id and is slow to commit must not let a later writer's event
    become visible first: a consumer at `despues_de` would skip the slow one for ever."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    clientes = ClienteFactory.create_batch(2)
    published = threading.Event()
    commits = []  # (who, event id), in the order the commits finished
    seen_while_first_open = []

    def slow():
        with transaction.atomic():
            evento_id = _publish(clientes[0])
            published.set()
            time.sleep(1.0)  # still open: the other writer's event must wait
            seen_while_first_open.extend(Evento.objects.using("default").values_list("pk", flat=True))
        commits.append(("slow", evento_id))

    def fast():
        published.wait(10)
        with transaction.atomic():
            evento_id = _publish(clientes[1])
        commits.append(("fast", evento_id))

    run_at_once([slow, fast])

    # then the commits came in id order, and no reader saw the later id before the earlier one
    assert [who for who, _id in commits] == ["slow", "fast"]
    assert commits[0][1] < commits[1][1]
    assert seen_while_first_open == [commits[0][1]]


def _publish(cliente):
    events.publish("cliente.actualizado", instance=cliente)
    return Evento.objects.order_by("-pk").values_list("pk", flat=True).first()


@pytest.mark.django_db
def test_paciente_and_vacuna_events_hold_what_the_api_answered(api_client):
    # given an admin and a cliente
    api = api_client("admin")
    cliente = ClienteFactory()

    # when a paciente and a vacuna of it are created through the API
    paciente = api.post("/api/v1/pacientes/", {"nombre": "Toby", "especie": "perro", "propietario": cliente.pk})
    vacuna = api.post(
        "/api/v1/vacunas/", {"paciente": paciente.json()["id"], "nombre": "Rabia", "fecha_aplicacion": "2024-01-10"}
    )

    # then each event's datos is the API's answer (annotated fields such as `vencida` included)
    assert (paciente.status_code, vacuna.status_code) == (201, 201)
    assert Evento.objects.get(tipo="paciente.creado").datos == paciente.json()
    assert Evento.objects.get(tipo="vacuna.creada").datos == vacuna.json()
