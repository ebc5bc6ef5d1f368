"""`save_validated`: a constraint only the database can see still ends as a 400, never a 500."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from core.services import save_validated

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_a_concurrent_duplicate_is_a_validation_error_not_an_integrity_error():
    # given another connection that has inserted documento 1X but not committed yet
    inserted, finish = threading.Event(), threading.Event()

    def other_writer():
        try:
            with transaction.atomic():
                ClienteFactory(documento="1X")
                inserted.set()
                finish.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    assert inserted.wait(timeout=30)
    # when this connection saves the same documento: full_clean() cannot see the
    # uncommitted row, the INSERT waits on the unique index until the other commits
    cliente = ClienteFactory.build(documento="1x")
    threading.Timer(0.5, finish.set).start()
    with pytest.raises(ValidationError) as error:
        save_validated(cliente)
    thread.join(timeout=30)
    # then the database's refusal arrives as a ValidationError (a 400 through the API)
    assert "conflicto" in str(error.value)
    assert Cliente.objects.filter(documento__iexact="1x").count() == 1
