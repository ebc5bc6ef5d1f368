import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("historial", "0004_sede_principal")]

    operations = [
        migrations.AlterField(
            model_name="consulta",
            name="sede",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consultas",
                to="sedes.sede",
                verbose_name="sede",
            ),
        ),
    ]
