"""A day at the front desk, in a real browser: the receptionist finds a patient, books and
confirms a cita; the vet records the consulta. Screenshots go to artifacts/e2e/."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import Rol
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from citas.models import Cita, EstadoCita
from historial.models import Consulta
from pacientes.tests.factories import PacienteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url, user):
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def log_out(page):
    page.click("#logout-form button")
    page.wait_for_selector("input[name=username], #content h1")


def pick_autocomplete(page, field, text):
    """Chooses `text` in the admin's select2 autocomplete for `field`."""
    page.click(f".field-{field} .select2-selection")
    page.fill(".select2-search__field", text)
    page.click(f".select2-results__option:has-text('{text}')")


def test_receptionist_books_and_confirms_then_vet_records_the_consulta(role_groups, live_server, page, screenshot):
    recepcionista = UserFactory(rol=Rol.RECEPCIONISTA, nombre="Rocío", apellidos="Recepción")
    veterinaria = UserFactory(rol=Rol.VETERINARIO, nombre="Vera", apellidos="Vázquez")
    canela = PacienteFactory(
        nombre="Canela",
        propietario__nombre="Marta",
        propietario__apellidos="Olmedo",
        propietario__telefono="+34 677 555 010",
    )
    PacienteFactory.create_batch(3)
    manana = timezone.localdate() + datetime.timedelta(days=1)

    # The receptionist finds the patient from the index's single search box (owner's phone).
    log_in(page, live_server.url, recepcionista)
    screenshot("recepcion-inicio")
    page.fill("#buscar-paciente", "677 555 010")
    page.press("#buscar-paciente", "Enter")
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 1
    page.click("#result_list tbody tr th a")
    page.wait_for_selector(".field-ficha_propietario")
    assert "Olmedo" in page.inner_text(".field-ficha_propietario")
    screenshot("ficha-paciente")

    # She books a cita for tomorrow with the vet.
    page.goto(f"{live_server.url}/admin/citas/cita/add/")
    pick_autocomplete(page, "paciente", "Canela")
    page.select_option("select[name=veterinario]", str(veterinaria.pk))
    page.fill("input[name=inicio_0]", manana.isoformat())
    page.fill("input[name=inicio_1]", "10:00:00")
    page.fill("input[name=fin_0]", manana.isoformat())
    page.fill("input[name=fin_1]", "10:30:00")
    page.fill("input[name=motivo]", "Vacunación anual")
    screenshot("nueva-cita")
    page.click("input[name=_save]")
    page.wait_for_selector("ul.messagelist li.success")
    cita = Cita.objects.get(paciente=canela)
    assert (cita.veterinario, cita.estado, cita.creado_por) == (veterinaria, EstadoCita.PROGRAMADA, recepcionista)

    # And confirms it from tomorrow's agenda.
    page.goto(f"{live_server.url}/admin/citas/cita/agenda/?fecha={manana.isoformat()}")
    fila = page.locator(f"tr[data-cita='{cita.pk}']")
    assert "Canela" in fila.inner_text()
    fila.locator("button[value=confirmar]").click()
    page.wait_for_selector("ul.messagelist li.success")
    assert "Confirmada" in page.locator(f"tr[data-cita='{cita.pk}'] .estado").inner_text()
    screenshot("agenda-confirmada")
    cita.refresh_from_db()
    assert cita.estado == EstadoCita.CONFIRMADA
    log_out(page)

    # The vet records the consulta of that cita.
    log_in(page, live_server.url, veterinaria)
    page.goto(f"{live_server.url}/admin/historial/consulta/add/")
    assert page.locator("select[name=veterinario]").count() == 0  # a vet records as themselves
    pick_autocomplete(page, "paciente", "Canela")
    page.fill("input[name=cita]", str(cita.pk))
    page.fill("input[name=motivo]", "Vacunación anual")
    page.fill("textarea[name=diagnostico]", "Sana; se aplica la vacuna")
    page.fill("input[name=peso_kg]", "12.40")
    page.fill("input[name=temperatura_c]", "38.5")
    screenshot("nueva-consulta")
    page.click("input[name=_save]")
    page.wait_for_selector("ul.messagelist li.success")

    consulta = Consulta.objects.get(paciente=canela)
    assert (consulta.veterinario, consulta.cita) == (veterinaria, cita)
    canela.refresh_from_db()
    assert str(canela.peso_kg) == "12.40"

    # The patient's page now shows the consulta and the weight.
    page.goto(f"{live_server.url}/admin/pacientes/paciente/{canela.pk}/change/")
    assert "Sana; se aplica la vacuna" in page.inner_text(".field-ultimas_consultas")
    assert re.search(r"12[.,]40 kg", page.inner_text(".field-historial_pesos"))
    screenshot("ficha-con-consulta")
