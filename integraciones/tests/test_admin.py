"""The admin pages of the event feed, webhooks (with their delivery log) and integraciones."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from clientes.tests.factories import ClienteFactory
from core import events
from integraciones.models import ClaveIntegracion, Evento, Integracion, Webhook

from .factories import WebhookFactory, integracion_con_clave

pytestmark = pytest.mark.django_db


def test_the_admin_lists_events_webhooks_deliveries_and_integraciones(web):
    webhook = WebhookFactory()
    events.publish("cliente.creado", instance=ClienteFactory())
    integracion_con_clave(permisos=["citas:read"])
    admin = web("admin")

    for name in ("evento", "webhook", "entrega", "integracion"):
        response = admin.get(reverse(f"admin:integraciones_{name}_changelist"))
        assert response.status_code == 200, name
    page = admin.get(reverse("admin:integraciones_webhook_change", args=[webhook.pk]))
    assert page.status_code == 200
    assert "cliente.creado" in page.content.decode()  # its delivery log inline


def test_an_event_cannot_be_edited_in_the_admin(web):
    events.publish("cliente.creado", instance=ClienteFactory())
    evento_id = Evento.objects.get().pk

    response = web("admin").post(reverse("admin:integraciones_evento_delete", args=[evento_id]), {"post": "yes"})

    assert response.status_code == 403


def test_adding_a_webhook_in_the_admin_shows_its_secret_once(web):
    admin = web("admin")

    response = admin.post(
        reverse("admin:integraciones_webhook_add"),
        {"url": "https://93.184.215.14/hook", "eventos": '["*"]', "activo": "on", "entregas-TOTAL_FORMS": "0",
         "entregas-INITIAL_FORMS": "0"},
        follow=True,
    )  # fmt: skip

    webhook = Webhook.objects.get()
    assert any(webhook.secreto in str(message) for message in get_messages(response.wsgi_request))


def test_adding_a_webhook_to_a_private_address_in_the_admin_is_refused(web):
    response = web("admin").post(
        reverse("admin:integraciones_webhook_add"),
        {"url": "https://169.254.169.254/", "eventos": '["*"]', "entregas-TOTAL_FORMS": "0",
         "entregas-INITIAL_FORMS": "0"},
    )  # fmt: skip

    assert response.status_code == 200  # the form again, with the error
    assert "no es pública" in response.content.decode()
    assert not Webhook.objects.exists()


def test_adding_an_integracion_in_the_admin_shows_a_key_that_works(web):
    datos = {"nombre": "ERP", "permisos": '["clientes:read"]', "activo": "on"}

    response = web("admin").post(reverse("admin:integraciones_integracion_add"), datos, follow=True)

    integracion = Integracion.objects.get()
    shown = [str(m).rsplit(" ", 1)[-1] for m in get_messages(response.wsgi_request) if "Clave" in str(m)]
    assert len(shown) == 1
    assert ClaveIntegracion.objects.get_from_key(shown[0]).integracion == integracion
