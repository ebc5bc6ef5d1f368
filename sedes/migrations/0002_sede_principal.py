"""The sede an installation of one clinic had without knowing it: named after `CLINIC_NAME`,
codigo PRAL, in the server's `TIME_ZONE`. Every veterinario and recepcionista works there, and
the migrations of the apps with sede fields point their existing rows at it, so an upgraded
installation keeps working unchanged."""

from django.conf import settings
from django.db import migrations

CODIGO_PRINCIPAL = "PRAL"


def crear_sede_principal(apps, schema_editor):
    Sede = apps.get_model("sedes", "Sede")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    sede, _created = Sede.objects.get_or_create(
        codigo=CODIGO_PRINCIPAL,
        defaults={"nombre": settings.CLINIC_NAME[:120] or "Clínica", "zona_horaria": settings.TIME_ZONE},
    )
    sede.personal.add(*User.objects.filter(rol__in=["veterinario", "recepcionista"]))


class Migration(migrations.Migration):
    dependencies = [("sedes", "0001_sedes")]

    operations = [migrations.RunPython(crear_sede_principal, migrations.RunPython.noop)]
