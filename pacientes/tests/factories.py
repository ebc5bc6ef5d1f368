import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import VeterinarioFactory
from clientes.tests.factories import ClienteFactory
from pacientes.models import Consulta, Especie, Paciente, Sexo, Vacuna


class PacienteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paciente

    nombre = factory.Faker("first_name", locale="es_ES")
    especie = Especie.PERRO
    raza = "Mestizo"
    sexo = Sexo.HEMBRA
    fecha_nacimiento = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=3 * 365))
    microchip = factory.Sequence(lambda n: f"{724000000000000 + n:015d}")
    propietario = factory.SubFactory(ClienteFactory)


class ConsultaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consulta

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
