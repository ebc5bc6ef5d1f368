import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import VeterinarioFactory
from historial.models import Consulta, Vacuna
from pacientes.tests.factories import PacienteFactory
from sedes.tests.factories import sede_principal


class ConsultaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consulta

    sede = factory.LazyFunction(sede_principal)
    paciente = factory.SubFactory(PacienteFactory)
    veterinario = factory.SubFactory(VeterinarioFactory)
    fecha = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    motivo = "Revisión anual"
    diagnostico = "Sano"


class VacunaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vacuna

    paciente = factory.SubFactory(PacienteFactory)
    nombre = "Rabia"
    lote = factory.Sequence(lambda n: f"L{n:05d}")
    fecha_aplicacion = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    proxima_dosis = factory.LazyAttribute(lambda o: o.fecha_aplicacion + datetime.timedelta(days=365))
    veterinario = factory.SubFactory(VeterinarioFactory)
