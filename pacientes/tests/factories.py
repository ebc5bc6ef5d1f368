import datetime

import factory

from clientes.tests.factories import ClienteFactory
from pacientes.models import Especie, Paciente, Sexo


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
