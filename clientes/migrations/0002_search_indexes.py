from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from core.migration_operations import postgres_only_sql, trigram_index_sql

COLUMNS = ["nombre", "apellidos", "documento", "email", "telefono"]
INDEXES = [trigram_index_sql("clientes_cliente", column) for column in COLUMNS]


class Migration(migrations.Migration):
    """Trigram indexes for `?search=` (icontains) on PostgreSQL; nothing on SQLite."""

    dependencies = [("clientes", "0001_initial")]

    operations = [
        TrigramExtension(),
        postgres_only_sql([forward for forward, _ in INDEXES], [reverse for _, reverse in INDEXES]),
    ]
