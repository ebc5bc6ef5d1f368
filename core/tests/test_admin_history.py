"""The audit history in the admin is read-only: an old version can be looked at, never written
back (a "revert" would bypass the services and let view-only staff change records); odd URLs
and date drill-downs answer 404 or a redirect, never a 500."""

import datetime

import pytest
from django.contrib import admin
from django.forms import CheckboxInput, MultiWidget
from django.urls import reverse
from django.utils import timezone

from accounts.models import Rol
from citas.tests.factories import BloqueoFactory, CitaFactory
from clientes.tests.factories import ClienteFactory
from core import admin as core_admin
from historial.tests.factories import ConsultaFactory, VacunaFactory
from pacientes.tests.factories import PacienteFactory

pytestmark = pytest.mark.django_db

STAFF = (Rol.ADMIN, Rol.VETERINARIO, Rol.RECEPCIONISTA)
# Every model with an audit history, and a text field a revert could rewrite.
HISTORY = {
    "clientes.cliente": (ClienteFactory, "notas"),
    "pacientes.paciente": (PacienteFactory, "notas"),
    "historial.consulta": (ConsultaFactory, "motivo"),
    "historial.vacuna": (VacunaFactory, "lote"),
    "citas.cita": (CitaFactory, "notas"),
    "citas.bloqueo": (BloqueoFactory, "motivo"),
}
REWRITTEN = "Reescrito desde el historial"


def label_of(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


def url(label, page, *args):
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_{page}", args=args)


def post_data(form):
    """What a browser would send back for `form` as rendered, untouched."""
    data = {}
    for field in form:
        widget, value = field.field.widget, field.value()
        if isinstance(widget, MultiWidget):
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            for suffix, subwidget, part in zip(widget.widgets_names, widget.widgets, parts, strict=True):
                data[f"{field.html_name}{suffix}"] = subwidget.format_value(part) or ""
        elif isinstance(widget, CheckboxInput):
            if value:
                data[field.html_name] = "on"
        else:
            data[field.html_name] = "" if value is None else value
    return data


def test_every_admin_of_a_model_with_history_is_a_history_admin():
    with_history = {
        label_of(model): model_admin
        for model, model_admin in admin.site._registry.items()
        if hasattr(model._meta, "simple_history_manager_attribute")
    }

    assert set(with_history) == set(HISTORY)
    assert all(isinstance(model_admin, core_admin.HistoryAdmin) for model_admin in with_history.values())


@pytest.mark.parametrize("rol", STAFF)
@pytest.mark.parametrize("label", sorted(HISTORY))
def test_posting_to_a_history_version_is_403_and_writes_nothing(web, client, admin_user, rol, label):
    # given a record and the form of its first version, as a browser would post it back
    factory, field = HISTORY[label]
    obj = factory()
    version = obj.history.earliest()
    client.force_login(admin_user)
    page = client.get(url(label, "simple_history", obj.pk, version.history_id))
    assert page.status_code == 200
    data = {**post_data(page.context["adminform"].form), field: REWRITTEN, "_save": "Revert"}
    before = obj.history.count()

    # when a staff member posts it
    response = web(rol).post(url(label, "simple_history", obj.pk, version.history_id), data)

    # then it is refused and neither the record nor its history moved
    assert response.status_code == 403
    obj.refresh_from_db()
    assert getattr(obj, field) != REWRITTEN
    assert obj.history.count() == before


@pytest.mark.parametrize("rol", STAFF)
@pytest.mark.parametrize("label", sorted(HISTORY))
def test_a_history_version_is_shown_without_a_revert_button(web, rol, label):
    factory, _field = HISTORY[label]
    obj = factory()
    version = obj.history.earliest()

    response = web(rol).get(url(label, "simple_history", obj.pk, version.history_id))

    assert response.status_code == 200
    assert response.context["revert_disabled"] is True
    assert response.context["original"].pk == obj.pk
    html = response.content.decode()
    assert 'name="_save"' not in html
    assert reverse(f"admin:{label.replace('.', '_')}_history", args=[obj.pk]) in html


def test_the_history_list_offers_no_revert(web):
    cliente = ClienteFactory()

    response = web(Rol.ADMIN).get(url("clientes.cliente", "history", cliente.pk))

    assert response.status_code == 200
    assert response.context["revert_disabled"] is True


@pytest.mark.parametrize("label", sorted(HISTORY))
@pytest.mark.parametrize(("method", "expected"), [("get", 404), ("post", 403)])  # a POST is refused first
def test_a_non_numeric_history_version_is_an_error_page_not_a_500(web, label, method, expected):
    factory, _field = HISTORY[label]
    obj = factory()

    response = getattr(web(Rol.ADMIN), method)(f"{url(label, 'history', obj.pk)}abc/")

    assert response.status_code == expected


@pytest.mark.parametrize("label", sorted(HISTORY))
def test_a_non_numeric_object_id_in_a_history_url_is_404(web, label):
    factory, _field = HISTORY[label]
    version = factory().history.earliest()
    client = web(Rol.ADMIN)
    history = url(label, "history", 1)

    assert client.get(history.replace("/1/", "/abc/")).status_code == 404
    assert client.get(f"{history.replace('/1/', '/abc/')}{version.history_id}/").status_code == 404


def test_an_unknown_history_version_is_404(web):
    cliente = ClienteFactory()

    response = web(Rol.ADMIN).get(url("clientes.cliente", "simple_history", cliente.pk, 987654))

    assert response.status_code == 404


# --- date drill-down ---------------------------------------------------------------------------

DATE_HIERARCHIES = sorted(
    (label_of(model), model_admin.date_hierarchy)
    for model, model_admin in admin.site._registry.items()
    if model_admin.date_hierarchy
)
BAD_DRILL_DOWNS = [
    {"year": "9999"},
    {"year": "9999", "month": "12"},
    {"year": "9999", "month": "12", "day": "31"},
    {"year": "1"},
    {"year": "1", "month": "1", "day": "1"},
    {"year": "1799"},
    {"year": "3000", "month": "1"},
    {"year": "0"},
    {"year": "99999"},
    {"year": "abc"},
    {"year": "2024", "month": "13"},
    {"year": "2024", "month": "2", "day": "30"},
    {"year": "2024", "month": "0"},
    {"year": "-5"},
    {"month": "13"},
    {"day": "40"},
    {"month": "abc", "day": "1"},
]


def test_the_date_hierarchies_under_test_are_the_admins_ones():
    assert {label for label, _field in DATE_HIERARCHIES} == {
        "citas.cita",
        "citas.bloqueo",
        "historial.consulta",
        "historial.vacuna",
    }


@pytest.mark.parametrize("params", BAD_DRILL_DOWNS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
@pytest.mark.parametrize(("label", "field"), DATE_HIERARCHIES)
def test_an_impossible_or_extreme_date_drill_down_redirects_instead_of_failing(web, label, field, params):
    HISTORY[label][0]()
    client = web(Rol.ADMIN)

    response = client.get(url(label, "changelist"), {f"{field}__{part}": value for part, value in params.items()})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"year": "1800"},
        {"year": "2999"},
        {"year": "2999", "month": "12", "day": "31"},
        {"month": "5"},
        {"year": "2024", "day": "31"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)
@pytest.mark.parametrize(("label", "field"), DATE_HIERARCHIES)
def test_a_far_but_possible_date_drill_down_answers(web, label, field, params):
    HISTORY[label][0]()

    response = web(Rol.ADMIN).get(
        url(label, "changelist"), {f"{field}__{part}": value for part, value in params.items()}
    )

    assert response.status_code == 200


@pytest.mark.parametrize(("label", "field"), DATE_HIERARCHIES)
def test_a_date_drill_down_still_finds_the_rows_of_that_day(web, label, field):
    obj = HISTORY[label][0]()
    value = getattr(obj, field)
    day = timezone.localtime(value) if isinstance(value, datetime.datetime) else value
    client = web(Rol.ADMIN)

    that_day = client.get(
        url(label, "changelist"), {f"{field}__year": day.year, f"{field}__month": day.month, f"{field}__day": day.day}
    )
    year_before = client.get(url(label, "changelist"), {f"{field}__year": day.year - 1})

    assert [row.pk for row in that_day.context["cl"].result_list] == [obj.pk]
    assert list(year_before.context["cl"].result_list) == []
