"""Recordatorio moves to the recordatorios app (its migration 0001 creates it there, on the same
table): here it only leaves citas' migration state. The table citas_recordatorio and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("citas", "0005_fechas_en_rango"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Recordatorio")],
            database_operations=[],
        ),
    ]
