"""clientes 0006/0007: the contact channels arrive with their defaults, and the phones already
stored are normalised without losing any value."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("clientes", "0005_cursor_indexes")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    return migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_normalises_stored_phones_and_keeps_those_that_do_not_parse():
    try:
        # given clientes stored before phones were normalised, one phone in E.164 already,
        # one written the local way, one that is no valid number
        executor = migrate(BEFORE)
        Cliente = executor.loader.project_state(BEFORE).apps.get_model("clientes", "Cliente")
        ids = {
            telefono: Cliente.objects.create(nombre="Ana", apellidos="Pi", telefono=telefono).pk
            for telefono in ["+34600111222", "611 222-333", " 0034 622 333 444", "  91 555 12 ext. 3 ", "llamar"]
        }

        # when the database is migrated to the latest migrations
        migrate_to_latest()
    finally:
        # (other tests need the latest schema whatever happens here)
        migrate_to_latest()

    # then valid numbers are in E.164, the others as they were typed (trimmed), and the new
    # fields have their defaults
    from clientes.models import Cliente

    stored = {telefono: Cliente.objects.get(pk=pk) for telefono, pk in ids.items()}
    assert {telefono: cliente.telefono for telefono, cliente in stored.items()} == {
        "+34600111222": "+34600111222",
        "611 222-333": "+34611222333",
        " 0034 622 333 444": "+34622333444",
        "  91 555 12 ext. 3 ": "91 555 12 ext. 3",
        "llamar": "llamar",
    }
    for cliente in stored.values():
        assert (cliente.movil, cliente.acepta_email, cliente.acepta_sms, cliente.acepta_whatsapp) == (
            "",
            True,
            False,
            False,
        )
        assert cliente.canal_preferido == "email"
