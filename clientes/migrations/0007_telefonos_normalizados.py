from django.db import migrations

from core.migration_operations import postgres_only_sql, trigram_index_sql
from core.phones import normalize_phone

BATCH = 2000
MOVIL_INDEX = trigram_index_sql("clientes_cliente", "movil")


def normalize_existing_phones(apps, schema_editor):
    """Stored phones in the normal form (core.phones): E.164 when they parse in PHONE_REGION;
    any other value is kept as it was typed (only trimmed), so nothing is lost."""
    Cliente = apps.get_model("clientes", "Cliente")
    pending = []
    manager = Cliente.objects.using(schema_editor.connection.alias)
    rows = manager.order_by("pk").only("pk", "telefono", "movil")
    for cliente in rows.iterator(chunk_size=BATCH):
        telefono, movil = normalize_phone(cliente.telefono), normalize_phone(cliente.movil)
        if (telefono, movil) != (cliente.telefono, cliente.movil):
            cliente.telefono, cliente.movil = telefono, movil
            pending.append(cliente)
        if len(pending) >= BATCH:
            manager.bulk_update(pending, ["telefono", "movil"])
            pending = []
    if pending:
        manager.bulk_update(pending, ["telefono", "movil"])


class Migration(migrations.Migration):
    """Existing phones normalised (reversible: the normal form is a valid value before too), and
    a trigram index for `?search=` on movil on PostgreSQL, like the other searched columns."""

    dependencies = [("clientes", "0006_movil_y_consentimientos")]

    operations = [
        migrations.RunPython(normalize_existing_phones, migrations.RunPython.noop, elidable=True),
        postgres_only_sql([MOVIL_INDEX[0]], [MOVIL_INDEX[1]]),
    ]
