import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import VeterinarioFactory
from citas.models import Bloqueo, Cita, EstadoCita, HorarioAtencion
from pacientes.tests.factories import PacienteFactory
from sedes.tests.factories import sede_principal


def manana_a_las(hora, minuto=0):
    """Tomorrow at hh:mm in the clinic's zone."""
    dia = timezone.localdate() + datetime.timedelta(days=1)
    return datetime.datetime.combine(dia, datetime.time(hora, minuto), tzinfo=timezone.get_current_timezone())


class CitaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cita

    sede = factory.LazyFunction(sede_principal)
    paciente = factory.SubFactory(PacienteFactory)
    veterinario = factory.SubFactory(VeterinarioFactory)
    inicio = factory.Sequence(lambda n: manana_a_las(9) + datetime.timedelta(days=n))
    fin = factory.LazyAttribute(lambda o: o.inicio + datetime.timedelta(minutes=30))
    motivo = "Revisión"
    estado = EstadoCita.PROGRAMADA


class HorarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HorarioAtencion

    sede = factory.LazyFunction(sede_principal)
    veterinario = factory.SubFactory(VeterinarioFactory)
    dia_semana = 0
    hora_inicio = datetime.time(9, 0)
    hora_fin = datetime.time(14, 0)


class BloqueoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bloqueo

    veterinario = factory.SubFactory(VeterinarioFactory)
    inicio = factory.LazyFunction(lambda: manana_a_las(15))
    fin = factory.LazyAttribute(lambda o: o.inicio + datetime.timedelta(hours=2))
    motivo = "Cirugía"
