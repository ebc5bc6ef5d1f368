"""The database's guarantees on plantillas and mensajes, whatever code writes them."""

import pytest
from django.db import IntegrityError

from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from recordatorios.models import EstadoMensaje
from recordatorios.tests.factories import MensajeFactory, PlantillaFactory
from sedes.tests.factories import SedeFactory

pytestmark = pytest.mark.django_db


def test_a_second_message_for_the_same_reminder_channel_and_offset_is_refused():
    primero = MensajeFactory(canal="sms", offset=3)

    with pytest.raises(IntegrityError):
        MensajeFactory(canal="sms", offset=3, vacuna=primero.vacuna)


def test_the_same_reminder_may_have_a_message_per_offset_and_per_channel():
    primero = MensajeFactory(canal="sms", offset=14)

    MensajeFactory(canal="sms", offset=3, vacuna=primero.vacuna)
    MensajeFactory(canal="whatsapp", offset=14, vacuna=primero.vacuna)

    assert primero.vacuna.mensajes.count() == 3


def test_a_new_message_is_pending_with_no_attempt_yet():
    mensaje = MensajeFactory()

    assert (mensaje.estado, mensaje.intentos, mensaje.enviado_en) == (EstadoMensaje.PENDIENTE, 0, None)


def test_two_active_templates_for_the_same_sede_tipo_channel_and_language_are_refused():
    sede = SedeFactory()
    PlantillaFactory(sede=sede)

    with pytest.raises(IntegrityError):
        PlantillaFactory(sede=sede)


def test_two_active_templates_for_every_sede_are_refused_but_an_inactive_one_is_kept():
    PlantillaFactory(sede=None)
    PlantillaFactory(sede=None, activo=False)

    with pytest.raises(IntegrityError):
        PlantillaFactory(sede=None)


def test_an_owners_language_defaults_to_the_servers(settings):
    settings.LANGUAGE_CODE = "en"

    dueno = ClienteFactory()

    assert Cliente.objects.get(pk=dueno.pk).idioma == "en"
