"""The exclusion constraints against double booking, now declared on Cita.Meta.constraints, enter
the migration state. Only the state: every database that has run 0002 (PostgreSQL) already has
them, with these names and this definition; SQLite has none and gets none."""

from django.db import migrations, models

import core.constraints


def sin_solape(field):
    return core.constraints.PostgresOnlyExclusionConstraint(
        condition=models.Q(("estado__in", ("programada", "confirmada", "en_curso"))),
        expressions=[(field, "="), (core.constraints.TsTzRange("inicio", "fin"), "&&")],
        name=f"citas_cita_sin_solape_{field}",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("citas", "0006_recordatorio_a_su_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(model_name="cita", constraint=sin_solape("veterinario")),
                migrations.AddConstraint(model_name="cita", constraint=sin_solape("paciente")),
            ],
            database_operations=[],
        ),
    ]
