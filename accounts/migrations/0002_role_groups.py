"""Groups `veterinario` and `recepcionista` with the model permissions of their rol, and
every existing staff user in the group of its rol."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import ROLE_PERMISSIONS, sync_role_groups


def forwards(apps, schema_editor):
    # Permissions are normally created after the whole `migrate` run; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    sync_role_groups(group_model=Group, permission_model=apps.get_model("auth", "Permission"))
    User = apps.get_model("accounts", "User")
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        group.user_set.add(*User.objects.filter(rol=group.name))


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("clientes", "0003_history"),
        ("pacientes", "0004_consultas_vacunas"),
        ("citas", "0003_recordatorios"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
