from django.db import migrations

from core.migration_operations import postgres_only_sql, trigram_index_sql

INDEXES = [trigram_index_sql("pacientes_paciente", column) for column in ["nombre", "microchip"]]


class Migration(migrations.Migration):
    """Trigram indexes for `?search=` (icontains) on PostgreSQL; nothing on SQLite.

    The owner's columns are indexed by clientes.0002.
    """

    dependencies = [("pacientes", "0001_initial"), ("clientes", "0002_search_indexes")]

    operations = [
        postgres_only_sql([forward for forward, _ in INDEXES], [reverse for _, reverse in INDEXES]),
    ]
