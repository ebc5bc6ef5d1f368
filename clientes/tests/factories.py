import factory

from accounts.tests.factories import ClienteUserFactory
from clientes.models import Cliente


class ClienteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cliente

    nombre = factory.Faker("first_name", locale="es_ES")
    apellidos = factory.Faker("last_name", locale="es_ES")
    documento = factory.Sequence(lambda n: f"{n:08d}X")
    email = factory.Sequence(lambda n: f"cliente{n}@correo.test")
    telefono = factory.Sequence(lambda n: f"+34611{n:06d}")  # stored normalised (core.phones)
    ciudad = "Madrid"


class ClienteConUsuarioFactory(ClienteFactory):
    usuario = factory.SubFactory(ClienteUserFactory)
