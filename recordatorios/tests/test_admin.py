"""The admin pages of plantillas (with a preview and its segments) and of the message log."""

import pytest
from django.urls import reverse

from accounts.models import Rol
from recordatorios.models import Plantilla
from recordatorios.tests.factories import MensajeFactory, PlantillaFactory
from sedes.tests.factories import SedeFactory

pytestmark = pytest.mark.django_db


def datos(**campos):
    return {"tipo": "vacuna", "canal": "sms", "idioma": "es", "asunto": "", "activo": "on", **campos}


def test_the_change_page_previews_the_text_with_the_sedes_name_and_counts_its_segments(web):
    sede = SedeFactory(nombre="VetClinic Madrid", telefono="+34910000001")
    plantilla = PlantillaFactory(sede=sede, cuerpo="{sede}: {paciente} vacuna {vacuna} el {fecha}. Tel {telefono_sede}")

    response = web(Rol.ADMIN).get(reverse("admin:recordatorios_plantilla_change", args=[plantilla.pk]))

    html = response.content.decode()
    assert "VetClinic Madrid: Nube vacuna Rabia el 14/03/2027. Tel +34910000001" in html
    assert "1 segmento(s) SMS · 67 caracteres GSM-7" in html


def test_a_template_with_an_unknown_variable_is_refused_on_the_form(web):
    response = web(Rol.ADMIN).post(
        reverse("admin:recordatorios_plantilla_add"), datos(cuerpo="Hola {nombre}"), follow=True
    )

    assert response.status_code == 200
    assert "Variables no permitidas: {nombre}" in response.content.decode()
    assert not Plantilla.objects.exists()


def test_an_admin_adds_a_template_through_the_service(web):
    response = web(Rol.ADMIN).post(reverse("admin:recordatorios_plantilla_add"), datos(cuerpo="{paciente}: {fecha}"))

    assert response.status_code == 302
    assert Plantilla.objects.get().cuerpo == "{paciente}: {fecha}"


def test_the_changelist_shows_each_templates_segments(web):
    PlantillaFactory(cuerpo="{paciente} " + "a" * 200)

    response = web(Rol.ADMIN).get(reverse("admin:recordatorios_plantilla_changelist"))

    assert response.status_code == 200
    assert [p.segmentos for p in response.context["cl"].result_list] == [2]


@pytest.mark.parametrize("rol", [Rol.VETERINARIO, Rol.RECEPCIONISTA])
def test_staff_read_templates_and_messages_but_change_neither(web, rol):
    plantilla = PlantillaFactory()
    mensaje = MensajeFactory(destinatario="+34600999888")
    client = web(rol)

    assert client.get(reverse("admin:recordatorios_plantilla_changelist")).status_code == 200
    assert client.get(reverse("admin:recordatorios_plantilla_add")).status_code == 403
    listado = client.get(reverse("admin:recordatorios_mensaje_changelist"))
    assert listado.status_code == 200
    assert "+34600999888" in listado.content.decode()
    response = client.post(reverse("admin:recordatorios_plantilla_change", args=[plantilla.pk]), datos(cuerpo="{sede}"))
    assert response.status_code == 403
    assert client.get(reverse("admin:recordatorios_mensaje_change", args=[mensaje.pk])).status_code == 200


def test_the_message_log_is_read_only_even_for_an_admin(web):
    mensaje = MensajeFactory()
    client = web(Rol.ADMIN)

    assert client.get(reverse("admin:recordatorios_mensaje_add")).status_code == 403
    assert (
        client.post(reverse("admin:recordatorios_mensaje_delete", args=[mensaje.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert client.get(reverse("admin:recordatorios_mensaje_changelist"), {"estado": "pendiente"}).status_code == 200
