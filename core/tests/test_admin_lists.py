"""Every admin list of the site answers odd query strings without a 500, and its search is
bounded like the API's."""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from core.admin import SafeChangeList

pytestmark = pytest.mark.django_db


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


DATE_FIELDS = sorted(
    (model._meta.label, field.name)
    for model in admin.site._registry
    for field in model._meta.get_fields()
    if isinstance(field, models.DateField) and getattr(field, "concrete", False)
)
MODELS = {model._meta.label: model for model in admin.site._registry}


def test_every_admin_list_is_a_safe_one(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user

    for model, model_admin in admin.site._registry.items():
        assert issubclass(model_admin.get_changelist(request), SafeChangeList), model._meta.label


def test_the_date_fields_under_test_include_every_kind_of_admin():
    labels = {label for label, _field in DATE_FIELDS}

    assert {"accounts.User", "clientes.Cliente", "citas.Cita", "token_blacklist.OutstandingToken"} <= labels


FAR_LOOKUPS = [("year", "10000"), ("year", "0"), ("iso_year", "10000"), ("year__gte", "10000")]


@pytest.mark.parametrize("lookup, value", FAR_LOOKUPS)
@pytest.mark.parametrize("label, field", DATE_FIELDS)
def test_a_far_year_lookup_on_any_date_field_redirects_instead_of_failing(admin_client, label, field, lookup, value):
    response = admin_client.get(changelist_url(MODELS[label]), {f"{field}__{lookup}": value})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def edge_values(label, field):
    """The calendar's edges as the field's list filter would take them; date-times with an
    offset (a naive one only adds Django's RuntimeWarning, an error in these tests)."""
    if isinstance(MODELS[label]._meta.get_field(field), models.DateTimeField):
        return ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]
    return ["0001-01-01", "9999-12-31"]


EDGES = [(label, field, value) for label, field in DATE_FIELDS for value in edge_values(label, field)]


@pytest.mark.parametrize("label, field, value", EDGES)
def test_a_range_lookup_at_the_calendars_edges_answers(admin_client, label, field, value):
    response = admin_client.get(changelist_url(MODELS[label]), {f"{field}__gte": value})

    assert response.status_code in (200, 302)


SEARCHABLE = sorted(label for label, model in MODELS.items() if admin.site.get_model_admin(model).search_fields)


@pytest.mark.parametrize("label", SEARCHABLE)
def test_an_admin_search_past_the_bounds_finds_nothing_and_says_why(admin_client, label):
    response = admin_client.get(changelist_url(MODELS[label]), {"q": " ".join(["a"] * 9)})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert any("no puede superar" in str(message) for message in response.context["messages"])
