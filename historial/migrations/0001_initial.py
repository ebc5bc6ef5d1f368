"""The clinical record moves from pacientes to its own app, rows and all.

State only: Consulta, Vacuna and their history models leave pacientes' migration state and enter
historial's with the tables they have (pacientes_consulta, pacientes_vacuna,
pacientes_historicalconsulta, pacientes_historicalvacuna), so no table, row, index or constraint
is touched. Their content types are relabelled, so that permissions (the staff groups'),
admin log entries and everything else pointing at them keep working.

pacientes' state loses the models here, not in a pacientes migration: that one would have to
run after citas stopped referring to pacientes.Vacuna (citas 0006), a dependency of pacientes
on citas. Every dependency of this migration points to a lower app.
"""

import core.dates
import core.validators
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
import simple_history.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

from core.migration_operations import RemoveModelState


MOVED = ("consulta", "vacuna", "historicalconsulta", "historicalvacuna")


def relabel(old, new):
    def run(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        taken = set(ContentType.objects.filter(app_label=new, model__in=MOVED).values_list("model", flat=True))
        # A content type already under the new label (none, unless created by hand) is left alone.
        ContentType.objects.filter(app_label=old, model__in=set(MOVED) - taken).update(app_label=new)

    return run


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("citas", "0006_recordatorio_a_su_app"),
        ("pacientes", "0007_fechas_en_rango"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                RemoveModelState("pacientes", "HistoricalConsulta"),
                RemoveModelState("pacientes", "HistoricalVacuna"),
                RemoveModelState("pacientes", "Consulta"),
                RemoveModelState("pacientes", "Vacuna"),
                migrations.CreateModel(
                    name='HistoricalConsulta',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('creado_en', models.DateTimeField(blank=True, editable=False, verbose_name='creado en')),
                        ('actualizado_en', models.DateTimeField(blank=True, editable=False, verbose_name='actualizado en')),
                        ('fecha', models.DateTimeField(default=django.utils.timezone.now, validators=[core.dates.validate_date_in_range], verbose_name='fecha')),
                        ('motivo', models.CharField(max_length=255, verbose_name='motivo')),
                        ('anamnesis', models.TextField(blank=True, verbose_name='anamnesis')),
                        ('examen_fisico', models.TextField(blank=True, verbose_name='examen físico')),
                        ('diagnostico', models.TextField(blank=True, verbose_name='diagnóstico')),
                        ('tratamiento', models.TextField(blank=True, verbose_name='tratamiento')),
                        ('peso_kg', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, validators=[core.validators.positive], verbose_name='peso (kg)')),
                        ('temperatura_c', models.DecimalField(blank=True, decimal_places=1, max_digits=4, null=True, validators=[django.core.validators.MinValueValidator(Decimal('30')), django.core.validators.MaxValueValidator(Decimal('45'))], verbose_name='temperatura (°C)')),
                        ('notas', models.TextField(blank=True, verbose_name='notas')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('cita', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='citas.cita', verbose_name='cita')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('paciente', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pacientes.paciente', verbose_name='paciente')),
                        ('veterinario', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='veterinario')),
                    ],
                    options={
                        'verbose_name': 'historical consulta',
                        'verbose_name_plural': 'historical consultas',
                        'db_table': 'pacientes_historicalconsulta',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalVacuna',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('creado_en', models.DateTimeField(blank=True, editable=False, verbose_name='creado en')),
                        ('actualizado_en', models.DateTimeField(blank=True, editable=False, verbose_name='actualizado en')),
                        ('nombre', models.CharField(max_length=120, verbose_name='vacuna')),
                        ('lote', models.CharField(blank=True, max_length=60, verbose_name='lote')),
                        ('fecha_aplicacion', models.DateField(validators=[core.validators.not_in_future, core.dates.validate_date_in_range], verbose_name='fecha de aplicación')),
                        ('proxima_dosis', models.DateField(blank=True, null=True, validators=[core.dates.validate_date_in_range], verbose_name='próxima dosis')),
                        ('notas', models.TextField(blank=True, verbose_name='notas')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('paciente', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pacientes.paciente', verbose_name='paciente')),
                        ('veterinario', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='registrada por')),
                    ],
                    options={
                        'verbose_name': 'historical vacuna',
                        'verbose_name_plural': 'historical vacunas',
                        'db_table': 'pacientes_historicalvacuna',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Consulta',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('creado_en', models.DateTimeField(auto_now_add=True, verbose_name='creado en')),
                        ('actualizado_en', models.DateTimeField(auto_now=True, verbose_name='actualizado en')),
                        ('fecha', models.DateTimeField(default=django.utils.timezone.now, validators=[core.dates.validate_date_in_range], verbose_name='fecha')),
                        ('motivo', models.CharField(max_length=255, verbose_name='motivo')),
                        ('anamnesis', models.TextField(blank=True, verbose_name='anamnesis')),
                        ('examen_fisico', models.TextField(blank=True, verbose_name='examen físico')),
                        ('diagnostico', models.TextField(blank=True, verbose_name='diagnóstico')),
                        ('tratamiento', models.TextField(blank=True, verbose_name='tratamiento')),
                        ('peso_kg', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, validators=[core.validators.positive], verbose_name='peso (kg)')),
                        ('temperatura_c', models.DecimalField(blank=True, decimal_places=1, max_digits=4, null=True, validators=[django.core.validators.MinValueValidator(Decimal('30')), django.core.validators.MaxValueValidator(Decimal('45'))], verbose_name='temperatura (°C)')),
                        ('notas', models.TextField(blank=True, verbose_name='notas')),
                        ('cita', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='consultas', to='citas.cita', verbose_name='cita')),
                        ('paciente', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consultas', to='pacientes.paciente', verbose_name='paciente')),
                        ('veterinario', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consultas', to=settings.AUTH_USER_MODEL, verbose_name='veterinario')),
                    ],
                    options={
                        'verbose_name': 'consulta',
                        'verbose_name_plural': 'consultas',
                        'db_table': 'pacientes_consulta',
                        'ordering': ['-fecha', '-id'],
                        'indexes': [models.Index(fields=['paciente', '-fecha'], name='consultas_paciente_fecha_idx'), models.Index(fields=['veterinario', '-fecha'], name='consultas_vet_fecha_idx'), models.Index(fields=['-fecha'], name='consultas_fecha_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('temperatura_c__isnull', True), ('temperatura_c__range', (30, 45)), _connector='OR'), name='pacientes_consulta_temperatura_rango', violation_error_message='La temperatura debe estar entre 30 y 45 °C.'), models.CheckConstraint(condition=models.Q(('peso_kg__isnull', True), ('peso_kg__gt', 0), _connector='OR'), name='pacientes_consulta_peso_positivo', violation_error_message='El peso debe ser mayor que 0.')],
                    },
                ),
                migrations.CreateModel(
                    name='Vacuna',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('creado_en', models.DateTimeField(auto_now_add=True, verbose_name='creado en')),
                        ('actualizado_en', models.DateTimeField(auto_now=True, verbose_name='actualizado en')),
                        ('nombre', models.CharField(max_length=120, verbose_name='vacuna')),
                        ('lote', models.CharField(blank=True, max_length=60, verbose_name='lote')),
                        ('fecha_aplicacion', models.DateField(validators=[core.validators.not_in_future, core.dates.validate_date_in_range], verbose_name='fecha de aplicación')),
                        ('proxima_dosis', models.DateField(blank=True, null=True, validators=[core.dates.validate_date_in_range], verbose_name='próxima dosis')),
                        ('notas', models.TextField(blank=True, verbose_name='notas')),
                        ('paciente', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='vacunas', to='pacientes.paciente', verbose_name='paciente')),
                        ('veterinario', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='vacunas', to=settings.AUTH_USER_MODEL, verbose_name='registrada por')),
                    ],
                    options={
                        'verbose_name': 'vacuna',
                        'verbose_name_plural': 'vacunas',
                        'db_table': 'pacientes_vacuna',
                        'ordering': ['-fecha_aplicacion', '-id'],
                        'indexes': [models.Index(models.F('paciente'), django.db.models.functions.text.Lower('nombre'), models.F('fecha_aplicacion'), name='vacunas_paciente_nombre_idx'), models.Index(fields=['proxima_dosis'], name='vacunas_proxima_dosis_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('proxima_dosis__isnull', True), ('proxima_dosis__gte', models.F('fecha_aplicacion')), _connector='OR'), name='pacientes_vacuna_proxima_tras_aplicacion', violation_error_message='La próxima dosis no puede ser anterior a la aplicación.')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel("pacientes", "historial"), relabel("historial", "pacientes")),
    ]
