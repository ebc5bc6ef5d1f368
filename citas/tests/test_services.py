"""citas.services, called directly. The booking services' transaction boundary: a deadlock victim
or a serialization failure is run again (`core.services.retry_on_deadlock`), never a 500; and the
rules the API's tests do not reach."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone
from psycopg import errors as pg_errors

from accounts.tests.factories import AdminFactory, RecepcionistaFactory, VeterinarioFactory
from citas import services
from citas.models import Cita, EstadoCita, HorarioAtencion
from citas.tests.factories import BloqueoFactory, CitaFactory, manana_a_las
from core.exceptions import OPERACION_CONCURRENTE, Conflict
from core.services import retry_on_deadlock
from historial.models import Consulta
from historial.tests.factories import ConsultaFactory

HORARIO = {"dia_semana": 0, "hora_inicio": datetime.time(9), "hora_fin": datetime.time(14)}


def database_error(psycopg_error):
    """What Django raises for a psycopg error: its own OperationalError, caused by psycopg's."""
    try:
        raise OperationalError(str(psycopg_error)) from psycopg_error
    except OperationalError as exc:
        return exc


def flaky_service(*errors):
    """A service that fails with `errors`, one per call, then answers "hecho"; `.calls` counts."""
    pending = list(errors)

    def service():
        service.calls += 1
        if pending:
            raise database_error(pending.pop(0))
        return "hecho"

    service.calls = 0
    return service


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "error", [pg_errors.DeadlockDetected("deadlock detected"), pg_errors.SerializationFailure("could not serialize")]
)
def test_a_deadlock_victim_or_serialization_failure_is_run_again(error):
    service = flaky_service(error)

    assert retry_on_deadlock(service)() == "hecho"
    assert service.calls == 2


@pytest.mark.django_db(transaction=True)
def test_after_the_last_attempt_the_caller_gets_a_409():
    service = flaky_service(*[pg_errors.DeadlockDetected("deadlock detected")] * 3)

    with pytest.raises(Conflict) as raised:
        retry_on_deadlock(attempts=3)(service)()
    assert service.calls == 3
    assert raised.value.code == OPERACION_CONCURRENTE


@pytest.mark.django_db(transaction=True)
def test_inside_an_outer_transaction_there_is_nothing_to_retry():
    service = flaky_service(pg_errors.DeadlockDetected("deadlock detected"))

    with pytest.raises(Conflict), transaction.atomic():
        retry_on_deadlock(service)()
    assert service.calls == 1


@pytest.mark.django_db(transaction=True)
def test_other_database_errors_pass_through_untouched():
    service = flaky_service(pg_errors.QueryCanceled("canceling statement due to statement timeout"))

    with pytest.raises(OperationalError) as raised:
        retry_on_deadlock(service)()
    assert isinstance(raised.value.__cause__, pg_errors.QueryCanceled)
    assert service.calls == 1


# --- rules the API tests do not reach -----------------------------------------------------------------
# (booking, rescheduling, the state machine and bloqueos are tested through the API in
# test_api_citas.py, test_api_bloqueos.py, test_api_horarios.py and test_api_reserva_online.py)


@pytest.mark.django_db
def test_a_cita_with_a_consulta_cannot_be_deleted():
    # given a cita a consulta hangs from
    cita = CitaFactory()
    consulta = ConsultaFactory(cita=cita, paciente=cita.paciente)

    # when an admin deletes it, then it is a conflict and both stay
    with pytest.raises(Conflict):
        services.cita_delete(actor=AdminFactory(), cita=cita)
    assert Cita.objects.filter(pk=cita.pk).exists()
    assert Consulta.objects.filter(pk=consulta.pk).exists()


@pytest.mark.django_db
def test_a_cita_that_already_started_may_be_lengthened_without_moving_its_start():
    # given a confirmed cita that started ten minutes ago
    inicio = timezone.now() - datetime.timedelta(minutes=10)
    cita = CitaFactory(inicio=inicio, fin=inicio + datetime.timedelta(minutes=30), estado=EstadoCita.CONFIRMADA)

    # when its length changes, the start in the past is not a reason to refuse it
    services.cita_update(actor=RecepcionistaFactory(), cita=cita, data={"duracion_minutos": 45})

    cita.refresh_from_db()
    assert (cita.inicio, cita.fin) == (inicio, inicio + datetime.timedelta(minutes=45))


@pytest.mark.django_db
def test_cita_validate_checks_a_reschedule_without_writing():
    # given a cita and another of the same vet at 12:00
    cita = CitaFactory(inicio=manana_a_las(10), fin=manana_a_las(10, 30))
    CitaFactory(veterinario=cita.veterinario, inicio=manana_a_las(12), fin=manana_a_las(12, 30))

    # when the admin's form checks a move onto it, it is a conflict, and a free slot passes
    with pytest.raises(Conflict):
        services.cita_validate(
            paciente=cita.paciente,
            veterinario=cita.veterinario,
            inicio=manana_a_las(12),
            fin=manana_a_las(12, 30),
            cita=cita,
        )
    services.cita_validate(
        paciente=cita.paciente,
        veterinario=cita.veterinario,
        inicio=manana_a_las(11),
        fin=manana_a_las(11, 30),
        cita=cita,
    )

    # and nothing was written
    cita.refresh_from_db()
    assert cita.inicio == manana_a_las(10)


@pytest.mark.django_db
def test_moving_a_bloqueo_keeps_who_created_it():
    # given a bloqueo a recepcionista created
    autor = RecepcionistaFactory()
    bloqueo = BloqueoFactory(creado_por=autor, inicio=manana_a_las(15), fin=manana_a_las(16))

    # when an admin moves it
    services.bloqueo_save(actor=AdminFactory(), bloqueo=bloqueo, data={"fin": manana_a_las(17)})

    # then it keeps its author
    bloqueo.refresh_from_db()
    assert (bloqueo.fin, bloqueo.creado_por) == (manana_a_las(17), autor)


@pytest.mark.django_db
def test_a_vet_cannot_take_over_another_vets_bloqueo():
    # given another vet's bloqueo
    vet = VeterinarioFactory()
    ajeno = BloqueoFactory()
    dueno = ajeno.veterinario

    # when the vet tries to make it theirs, it is refused before anything is applied
    with pytest.raises(PermissionDenied):
        services.bloqueo_save(actor=vet, bloqueo=ajeno, data={"veterinario": vet})
    ajeno.refresh_from_db()
    assert ajeno.veterinario == dueno


@pytest.mark.django_db
def test_an_inactive_vet_gets_no_horario():
    with pytest.raises(ValidationError) as raised:
        services.horario_save(
            actor=AdminFactory(), horario=HorarioAtencion(**HORARIO, veterinario=VeterinarioFactory(is_active=False))
        )

    assert set(raised.value.message_dict) == {"veterinario"}
    assert not HorarioAtencion.objects.exists()
