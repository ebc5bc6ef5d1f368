"""Under concurrent requests, the database keeps the agenda consistent (PostgreSQL only)."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from accounts.models import Rol
from accounts.tests.factories import UserFactory, VeterinarioFactory
from citas import services
from citas.models import Bloqueo, Cita
from citas.tests.factories import CitaFactory, manana_a_las
from clientes.tests.factories import ClienteConUsuarioFactory
from conftest import bearer, run_at_once
from core.exceptions import Conflict
from core.services import lock_rows, retry_on_deadlock
from pacientes.models import Paciente
from pacientes.tests.factories import PacienteFactory
from sedes.tests.factories import sede_principal

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def post(user, path, data):
    def call():
        api = APIClient(raise_request_exception=False)
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
            sede=sede_principal(),
            paciente=PacienteFactory(),
            veterinario=existing.veterinario,
            inicio=manana_a_las(10, 30),
            fin=manana_a_las(11, 30),
            motivo="saltándose el servicio",
        )

    with pytest.raises(IntegrityError), transaction.atomic():
        Cita.objects.create(
            sede=sede_principal(),
            paciente=existing.paciente,
            veterinario=VeterinarioFactory(),
            inicio=manana_a_las(10, 30),
            fin=manana_a_las(11, 30),
            motivo="mismo paciente",
        )


@pytest.mark.parametrize("shared,code", [("veterinario", "solape_veterinario"), ("paciente", "solape_paciente")])
def test_an_overlap_only_the_database_saw_is_a_409_with_the_code_of_its_constraint(shared, code):
    # Given a cita, and another one sharing its vet or its paciente that the checks did not see
    existing = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(11))
    rival = Cita(
        sede=existing.sede,
        paciente=existing.paciente if shared == "paciente" else PacienteFactory(),
        veterinario=existing.veterinario if shared == "veterinario" else VeterinarioFactory(),
        inicio=manana_a_las(10, 30),
        fin=manana_a_las(11, 30),
        motivo="carrera",
    )

    # When it is saved the way the booking services save (past their checks)
    with pytest.raises(Conflict) as raised:
        services._save_cita(rival, actor=UserFactory(rol=Rol.ADMIN))

    # Then the exclusion constraint's refusal says which rule it was
    assert raised.value.code == code
    assert Cita.objects.count() == 1


def test_the_database_allows_back_to_back_and_cancelled_overlaps():
    existing = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(11))

    Cita.objects.create(
        sede=sede_principal(),
        paciente=PacienteFactory(),
        veterinario=existing.veterinario,
        inicio=manana_a_las(11),
        fin=manana_a_las(12),
        motivo="x",
    )
    Cita.objects.create(
        sede=sede_principal(),
        paciente=PacienteFactory(),
        veterinario=existing.veterinario,
        inicio=manana_a_las(10),
        fin=manana_a_las(11),
        motivo="x",
        estado="cancelada",
    )

    assert Cita.objects.count() == 3


def test_a_real_deadlock_victim_is_run_again_and_succeeds():
    # Given two writers that lock two rows in opposite orders, both holding their first lock
    # when they ask for the second: PostgreSQL aborts one of them as a deadlock victim.
    primero, segundo = PacienteFactory(), PacienteFactory()
    both_hold_one = threading.Barrier(2)
    attempts = []

    def writer(first, second):
        @retry_on_deadlock
        @transaction.atomic
        def lock_both():
            attempts.append(first.pk)
            lock_rows(Paciente.objects.filter(pk=first.pk)).get()
            if len(attempts) <= 2:  # only the first round collides
                both_hold_one.wait(timeout=10)
            lock_rows(Paciente.objects.filter(pk=second.pk)).get()
            return "hecho"

        return lock_both

    # When both run at once
    results = run_at_once([writer(primero, segundo), writer(segundo, primero)])

    # Then both finish: the victim was run again once the other had committed
    assert results == ["hecho", "hecho"]
    assert len(attempts) == 3


def test_an_owner_booking_at_once_with_several_vets_stays_within_the_limit(settings):
    # Given an owner allowed 2 active citas, booking 6 pacientes with 6 vets at once (no lock of
    # a vet or a paciente is shared: only the owner's own row orders them)
    settings.RESERVA_MAX_ACTIVAS = 2
    settings.CLINIC_HOURS = "0-6=09:00-18:00"
    settings.SLOT_MINUTES = 30
    settings.DURACIONES_RESERVA = [30]
    cliente = ClienteConUsuarioFactory()
    inicio = manana_a_las(10).isoformat()
    calls = [
        post(
            cliente.usuario,
            "/api/v1/citas/",
            {
                "paciente": PacienteFactory(propietario=cliente).id,
                "veterinario": VeterinarioFactory().id,
                "inicio": inicio,
                "motivo": "x",
            },
        )
        for _ in range(6)
    ]

    # When they all run at once
    statuses = run_at_once(calls)

    # Then exactly two are booked
    assert sorted(statuses) == [201, 201, 400, 400, 400, 400]
    assert Cita.objects.filter(paciente__propietario=cliente).count() == 2
