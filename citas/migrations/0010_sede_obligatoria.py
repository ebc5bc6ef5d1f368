import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("citas", "0009_sede_principal")]

    operations = [
        migrations.AlterField(
            model_name="cita",
            name="sede",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="citas", to="sedes.sede", verbose_name="sede"
            ),
        ),
        migrations.AlterField(
            model_name="horarioatencion",
            name="sede",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="horarios",
                to="sedes.sede",
                verbose_name="sede",
            ),
        ),
    ]
