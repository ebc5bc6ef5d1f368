import zoneinfo

import factory
from django.conf import settings

from sedes.models import CODIGO_PRINCIPAL, Sede


class SedeFactory(factory.django.DjangoModelFactory):
    """A second (third…) clinic of the chain; the first, PRAL, comes from the migrations."""

    class Meta:
        model = Sede
        skip_postgeneration_save = True

    nombre = factory.Sequence(lambda n: f"Sede {n}")
    codigo = factory.Sequence(lambda n: f"S{n:03d}")
    zona_horaria = "Europe/Madrid"
    telefono = factory.Sequence(lambda n: f"+34910{n:06d}")

    @factory.post_generation
    def personal(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.personal.add(*extracted)


def sede_principal():
    """The sede the migrations create (PRAL, in TIME_ZONE): every factory's default. Created
    again when a transactional test's flush removed it with the other rows."""
    sede, _created = Sede.objects.get_or_create(
        codigo=CODIGO_PRINCIPAL, defaults={"nombre": settings.CLINIC_NAME, "zona_horaria": settings.TIME_ZONE}
    )
    return sede


def zona_de_la_sede_principal(zona):
    """Moves the default sede to IANA zone `zona` (the server's TIME_ZONE stays as it is) and
    returns that zone."""
    Sede.objects.filter(codigo=CODIGO_PRINCIPAL).update(zona_horaria=zona)
    return zoneinfo.ZoneInfo(zona)
