import factory

from recordatorios.models import Recordatorio, TipoRecordatorio


class RecordatorioFactory(factory.django.DjangoModelFactory):
    """A reminder already sent: pass `vacuna=` or `cita=` (the tipo follows)."""

    class Meta:
        model = Recordatorio

    vacuna = None
    cita = None
    tipo = factory.LazyAttribute(lambda o: TipoRecordatorio.VACUNA if o.vacuna is not None else TipoRecordatorio.CITA)
    email = factory.Sequence(lambda n: f"enviado{n}@correo.test")
