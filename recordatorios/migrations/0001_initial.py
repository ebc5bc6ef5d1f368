"""Recordatorio moves from citas to its own app, rows and all.

State only: the model enters recordatorios' migration state with its table (citas_recordatorio),
its constraints and their names; citas 0006 took it out of citas'. Its content type is relabelled
(permissions keep working), and the staff groups get the permissions the role table names under
the new labels (on a database created from scratch accounts 0002 ran before the relabelling).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from accounts.roles import ROLE_PERMISSIONS


def relabel(old, new):
    def run(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        if not ContentType.objects.filter(app_label=new, model="recordatorio").exists():
            ContentType.objects.filter(app_label=old, model="recordatorio").update(app_label=new)

    return run


def grant_moved_permissions(apps, schema_editor):
    """Adds to each staff group the permissions of its rol on the moved models (never removes any)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moved = {"historial.consulta", "historial.vacuna", "recordatorios.recordatorio"}
    for rol, table in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=rol).first()
        if group is None:
            continue
        for label, actions in table.items():
            if label in moved:
                app_label, model = label.split(".")
                group.permissions.add(
                    *Permission.objects.filter(
                        content_type__app_label=app_label,
                        content_type__model=model,
                        codename__in=[f"{action}_{model}" for action in actions],
                    )
                )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0004_tokens_validos_desde"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("citas", "0006_recordatorio_a_su_app"),
        ("historial", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Recordatorio',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('tipo', models.CharField(choices=[('vacuna', 'Vacuna'), ('cita', 'Cita')], max_length=10, verbose_name='tipo')),
                        ('email', models.EmailField(max_length=254, verbose_name='enviado a')),
                        ('enviado_en', models.DateTimeField(default=django.utils.timezone.now, verbose_name='enviado en')),
                        ('cita', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='citas.cita', verbose_name='cita')),
                        ('vacuna', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='historial.vacuna', verbose_name='vacuna')),
                    ],
                    options={
                        'verbose_name': 'recordatorio enviado',
                        'verbose_name_plural': 'recordatorios enviados',
                        'db_table': 'citas_recordatorio',
                        'ordering': ['-enviado_en'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('vacuna__isnull', False)), fields=('vacuna',), name='recordatorio_vacuna_unico'), models.UniqueConstraint(condition=models.Q(('cita__isnull', False)), fields=('cita',), name='recordatorio_cita_unico'), models.CheckConstraint(condition=models.Q(models.Q(('cita__isnull', True), ('tipo', 'vacuna'), ('vacuna__isnull', False)), models.Q(('cita__isnull', False), ('tipo', 'cita'), ('vacuna__isnull', True)), _connector='OR'), name='recordatorio_un_objeto')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel("citas", "recordatorios"), relabel("recordatorios", "citas")),
        migrations.RunPython(grant_moved_permissions, migrations.RunPython.noop),
    ]
