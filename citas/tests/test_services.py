"""The booking services' transaction boundary: a deadlock victim or a serialization failure is
run again (`core.services.retry_on_deadlock`), never a 500."""

import pytest
from django.db import OperationalError, transaction
from psycopg import errors as pg_errors

from core.exceptions import OPERACION_CONCURRENTE, Conflict
from core.services import retry_on_deadlock


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
