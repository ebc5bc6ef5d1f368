"""Under concurrent requests, bookings and consultas of one vet and paciente never end in a 500
(PostgreSQL only)."""

import datetime

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Rol
from accounts.tests.factories import UserFactory, VeterinarioFactory
from citas.models import Cita
from citas.tests.factories import manana_a_las
from citas.tests.test_concurrency import run_at_once
from conftest import bearer
from historial.models import Consulta
from pacientes.tests.factories import PacienteFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def post_response(user, path, data):
    def call():
        # A server error is answered as a 500, as a real client would see it, not raised here.
        api = APIClient(raise_request_exception=False)
        api.credentials(**bearer(user))
        response = api.post(path, data, format="json")
        return response.status_code, response.json() if response.status_code == 201 else None

    return call


def test_concurrent_bookings_and_consultas_of_one_vet_and_paciente_never_answer_500():
    # Given one vet and one paciente, bookings (recepción) and consultas (the vet) at once:
    # a booking locks the vet and the paciente, a consulta the paciente (and its rows
    # point at the vet).
    vet = VeterinarioFactory()
    recepcion = UserFactory(rol=Rol.RECEPCIONISTA)
    paciente = PacienteFactory()
    bookings = [
        post_response(
            recepcion,
            "/api/v1/citas/",
            {
                "paciente": paciente.id,
                "veterinario": vet.id,
                "inicio": (manana_a_las(8) + datetime.timedelta(minutes=30 * n)).isoformat(),
                "motivo": "x",
            },
        )
        for n in range(13)
    ]
    consultas = [
        post_response(vet, "/api/v1/consultas/", {"paciente": paciente.id, "motivo": "x", "peso_kg": f"{10 + n}.0"})
        for n in range(12)
    ]
    calls = [("cita", call) for call in bookings] + [("consulta", call) for call in consultas]

    # When they all run at once
    results = list(zip([kind for kind, _call in calls], run_at_once([call for _kind, call in calls]), strict=True))

    # Then nothing is a 500, and every 201 left its row behind. (None of them overlaps another,
    # so all of them succeed; a 409 would only come from `retry_on_deadlock` giving up.)
    statuses = [status for _kind, (status, _body) in results]
    assert 500 not in statuses, statuses
    created = {"cita": set(), "consulta": set()}
    for kind, (status, body) in results:
        if status == 201:
            created[kind].add(body["id"])
    assert set(Cita.objects.filter(paciente=paciente).values_list("id", flat=True)) == created["cita"]
    assert set(Consulta.objects.filter(paciente=paciente).values_list("id", flat=True)) == created["consulta"]
    assert statuses == [201] * len(calls), statuses
