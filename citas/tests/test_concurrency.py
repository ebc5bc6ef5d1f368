"""Under concurrent requests, the database keeps the agenda consistent (PostgreSQL only)."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from accounts.models import Rol
from accounts.tests.factories import UserFactory, VeterinarioFactory
from citas.models import Bloqueo, Cita
from citas.tests.factories import CitaFactory, manana_a_las
from conftest import bearer
from pacientes.tests.factories import PacienteFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def run_at_once(calls):
    """Runs every callable in its own thread (its own database connection), released together."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def post(user, path, data):
    def call():
        api = APIClient()
        api.credentials(**bearer(user))
        return api.post(path, data, format="json").status_code

    return call


def test_twenty_concurrent_bookings_of_one_slot_yield_one_cita():
    vet = VeterinarioFactory()
    recepcion = UserFactory(rol=Rol.RECEPCIONISTA)
    pacientes = PacienteFactory.create_batch(24)
    inicio = manana_a_las(10).isoformat()
    calls = [
        post(recepcion, "/api/v1/citas/", {"paciente": p.id, "veterinario": vet.id, "inicio": inicio, "motivo": "x"})
        for p in pacientes
    ]

    statuses = run_at_once(calls)

    assert sorted(statuses) == [201] + [409] * 23
    assert Cita.objects.filter(veterinario=vet).count() == 1


def test_concurrent_booking_and_bloqueo_have_exactly_one_winner():
    for _ in range(5):
        vet = VeterinarioFactory()
        recepcion = UserFactory(rol=Rol.RECEPCIONISTA)
        paciente = PacienteFactory()
        cita = {"paciente": paciente.id, "veterinario": vet.id, "inicio": manana_a_las(10).isoformat(), "motivo": "x"}
        bloqueo = {
            "veterinario": vet.id,
            "inicio": manana_a_las(9).isoformat(),
            "fin": manana_a_las(12).isoformat(),
            "motivo": "Cirugía",
        }

        statuses = run_at_once([post(recepcion, "/api/v1/citas/", cita), post(recepcion, "/api/v1/bloqueos/", bloqueo)])

        assert sorted(statuses) == [201, 409]
        assert Cita.objects.filter(veterinario=vet).count() + Bloqueo.objects.filter(veterinario=vet).count() == 1


def test_the_database_itself_refuses_overlapping_active_citas():
    existing = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(11))

    with pytest.raises(IntegrityError), transaction.atomic():
        Cita.objects.create(
            paciente=PacienteFactory(),
            veterinario=existing.veterinario,
            inicio=manana_a_las(10, 30),
            fin=manana_a_las(11, 30),
            motivo="saltándose el servicio",
        )

    with pytest.raises(IntegrityError), transaction.atomic():
        Cita.objects.create(
            paciente=existing.paciente,
            veterinario=VeterinarioFactory(),
            inicio=manana_a_las(10, 30),
            fin=manana_a_las(11, 30),
            motivo="mismo paciente",
        )


def test_the_database_allows_back_to_back_and_cancelled_overlaps():
    existing = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(11))

    Cita.objects.create(
        paciente=PacienteFactory(),
        veterinario=existing.veterinario,
        inicio=manana_a_las(11),
        fin=manana_a_las(12),
        motivo="x",
    )
    Cita.objects.create(
        paciente=PacienteFactory(),
        veterinario=existing.veterinario,
        inicio=manana_a_las(10),
        fin=manana_a_las(11),
        motivo="x",
        estado="cancelada",
    )

    assert Cita.objects.count() == 3
