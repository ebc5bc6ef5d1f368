"""Read-only fields cannot be set by any payload (OWASP API3: mass assignment)."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Rol
from accounts.tests.factories import UserFactory, VeterinarioFactory
from citas.tests.factories import CitaFactory, manana_a_las
from clientes.tests.factories import ClienteFactory
from historial.tests.factories import ConsultaFactory
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db

PAST = "2001-01-01T00:00:00Z"


@pytest.fixture
def intruder(db):
    """Another user whose id an attacker would like to plant in author fields."""
    return UserFactory(rol=Rol.ADMIN)


def test_me_cannot_change_rol_email_or_activation(client_for, recepcionista):
    client_for(recepcionista).patch(
        "/api/v1/auth/me/", {"rol": "admin", "email": "x@y.test", "is_active": False, "id": 999}, format="json"
    )

    recepcionista.refresh_from_db()
    assert (recepcionista.rol, recepcionista.is_active) == (Rol.RECEPCIONISTA, True)
    assert recepcionista.email != "x@y.test"


def test_cita_estado_author_and_timestamps_cannot_be_planted(client_for, recepcionista, intruder):
    paciente = PacienteFactory()
    payload = {
        "paciente": paciente.id,
        "veterinario": VeterinarioFactory().id,
        "inicio": manana_a_las(10).isoformat(),
        "motivo": "Revisión",
        "estado": "completada",
        "motivo_cancelacion": "inventado",
        "creado_por": intruder.id,
        "creado_en": PAST,
        "id": 424242,
    }

    body = client_for(recepcionista).post("/api/v1/citas/", payload, format="json").json()

    assert body["estado"] == "programada"
    assert body["motivo_cancelacion"] == ""
    assert body["creado_por"] == recepcionista.id
    assert body["id"] != 424242
    assert not body["creado_en"].startswith("2001")


def test_cita_estado_cannot_be_patched(client_for, recepcionista):
    cita = CitaFactory()

    client_for(recepcionista).patch(f"/api/v1/citas/{cita.id}/", {"estado": "completada"}, format="json")

    cita.refresh_from_db()
    assert cita.estado == "programada"


def test_consulta_author_is_the_vet_whatever_the_payload(client_for, veterinario, intruder):
    body = (
        client_for(veterinario)
        .post(
            "/api/v1/consultas/",
            {"paciente": PacienteFactory().id, "motivo": "x", "veterinario": intruder.id, "creado_en": PAST},
            format="json",
        )
        .json()
    )

    assert body["veterinario"] == veterinario.id
    assert not body["creado_en"].startswith("2001")


def test_consulta_author_cannot_be_patched_by_its_vet(client_for, veterinario):
    consulta = ConsultaFactory(veterinario=veterinario)

    client_for(veterinario).patch(
        f"/api/v1/consultas/{consulta.id}/", {"veterinario": VeterinarioFactory().id}, format="json"
    )

    consulta.refresh_from_db()
    assert consulta.veterinario == veterinario


def test_vacuna_and_bloqueo_authors_cannot_be_planted(client_for, veterinario, intruder):
    api = client_for(veterinario)
    hoy = timezone.localdate()

    vacuna = api.post(
        "/api/v1/vacunas/",
        {
            "paciente": PacienteFactory().id,
            "nombre": "Rabia",
            "fecha_aplicacion": hoy.isoformat(),
            "veterinario": intruder.id,
        },
        format="json",
    ).json()
    bloqueo = api.post(
        "/api/v1/bloqueos/",
        {
            "veterinario": veterinario.id,
            "inicio": manana_a_las(8).isoformat(),
            "fin": (manana_a_las(8) + datetime.timedelta(hours=1)).isoformat(),
            "motivo": "x",
            "creado_por": intruder.id,
        },
        format="json",
    ).json()

    assert vacuna["veterinario"] == veterinario.id
    assert bloqueo["creado_por"] == veterinario.id


def test_cliente_counters_and_timestamps_are_read_only(client_for, recepcionista):
    cliente = ClienteFactory()

    body = (
        client_for(recepcionista)
        .patch(f"/api/v1/clientes/{cliente.id}/", {"num_pacientes": 50, "creado_en": PAST, "id": 7}, format="json")
        .json()
    )

    assert body["num_pacientes"] == 0
    assert body["id"] == cliente.id
    assert not body["creado_en"].startswith("2001")


def test_usuarios_cannot_plant_an_id_or_read_a_password(client_for, admin_user):
    body = (
        client_for(admin_user)
        .post(
            "/api/v1/usuarios/",
            {"email": "n@clinica.test", "rol": "recepcionista", "password": "Clave-Muy-Segura-1", "id": 31337},
            format="json",
        )
        .json()
    )

    assert body["id"] != 31337
    assert "password" not in body
