from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

from core.migration_operations import postgres_only_sql

ACTIVE = "estado IN ('programada', 'confirmada', 'en_curso')"


def exclusion(column):
    name = f"citas_cita_sin_solape_{column.removesuffix('_id')}"
    return (
        f'ALTER TABLE "citas_cita" ADD CONSTRAINT "{name}" EXCLUDE USING gist '
        f"(\"{column}\" WITH =, tstzrange(\"inicio\", \"fin\", '[)') WITH &&) WHERE ({ACTIVE})",
        f'ALTER TABLE "citas_cita" DROP CONSTRAINT IF EXISTS "{name}"',
    )


CONSTRAINTS = [exclusion("veterinario_id"), exclusion("paciente_id")]


class Migration(migrations.Migration):
    """No double booking, guaranteed by PostgreSQL: active citas of one vet, or of one paciente,
    never overlap (half-open ranges, so back-to-back is fine). On SQLite this migration does
    nothing and the overlap check that citas.services runs inside its transaction is the guard."""

    dependencies = [("citas", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        postgres_only_sql([forward for forward, _ in CONSTRAINTS], [reverse for _, reverse in CONSTRAINTS]),
    ]
