import factory

from accounts.models import Rol, User
from accounts.roles import sync_user_group
from sedes.tests.factories import sede_principal

DEFAULT_PASSWORD = "Cl1nica-Segura-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"usuario{n}@vetclinic.test")
    nombre = factory.Faker("first_name", locale="es_ES")
    apellidos = factory.Faker("last_name", locale="es_ES")
    telefono = factory.Sequence(lambda n: f"+34 600 {n:06d}")
    rol = Rol.RECEPCIONISTA
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def role_group(obj, create, extracted, **kwargs):
        # As the services do: the user's group follows its rol (admin permissions).
        if create:
            sync_user_group(obj)

    @factory.post_generation
    def sedes(obj, create, extracted, **kwargs):
        """Where a vet or receptionist works: `sedes=[...]`, else the sede the migrations create
        (as `usuario_create` does while it is the only one)."""
        if not create or obj.rol not in (Rol.VETERINARIO, Rol.RECEPCIONISTA):
            return
        obj.sedes.set(extracted if extracted is not None else [sede_principal()])


class AdminFactory(UserFactory):
    rol = Rol.ADMIN


class VeterinarioFactory(UserFactory):
    rol = Rol.VETERINARIO


class RecepcionistaFactory(UserFactory):
    rol = Rol.RECEPCIONISTA


class ClienteUserFactory(UserFactory):
    """A `cliente`-rol user; link it with ClienteFactory(usuario=...)."""

    rol = Rol.CLIENTE
