import factory

from recordatorios.models import Mensaje, Plantilla, Recordatorio, TipoRecordatorio


class RecordatorioFactory(factory.django.DjangoModelFactory):
    """A reminder already sent: pass `vacuna=` or `cita=` (the tipo follows)."""

    class Meta:
        model = Recordatorio

    vacuna = None
    cita = None
    tipo = factory.LazyAttribute(lambda o: TipoRecordatorio.VACUNA if o.vacuna is not None else TipoRecordatorio.CITA)
    destinatario = factory.Sequence(lambda n: f"enviado{n}@correo.test")


class PlantillaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plantilla

    tipo = TipoRecordatorio.VACUNA
    canal = "sms"
    idioma = "es"
    sede = None
    cuerpo = "{paciente}: vacuna {vacuna} el {fecha}."


class MensajeFactory(factory.django.DjangoModelFactory):
    """A message of a vacuna's reminder (pass `cita=` and `recordatorio_tipo="cita"` for a cita's)."""

    class Meta:
        model = Mensaje

    canal = "sms"
    vacuna = factory.SubFactory("historial.tests.factories.VacunaFactory")
    cita = None
    recordatorio_tipo = factory.LazyAttribute(
        lambda o: TipoRecordatorio.CITA if o.cita is not None else TipoRecordatorio.VACUNA
    )
    cliente = factory.LazyAttribute(lambda o: (o.vacuna or o.cita).paciente.propietario)
    destinatario = "+34600111222"
    offset = 14
    cuerpo = "Recordatorio"
