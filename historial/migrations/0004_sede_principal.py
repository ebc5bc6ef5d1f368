"""Every existing consulta took place at the default sede (sedes 0002)."""

from django.db import migrations


def a_la_sede_principal(apps, schema_editor):
    sede = apps.get_model("sedes", "Sede").objects.get(codigo="PRAL")
    apps.get_model("historial", "Consulta").objects.filter(sede__isnull=True).update(sede=sede)
    apps.get_model("historial", "HistoricalConsulta").objects.filter(sede__isnull=True).update(sede=sede)


class Migration(migrations.Migration):
    dependencies = [("historial", "0003_sedes")]

    operations = [migrations.RunPython(a_la_sede_principal, migrations.RunPython.noop)]
