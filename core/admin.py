"""Admin pieces every app shares: saving through the services, a read-only audit history,
safe date drill-downs, and exporting rows to CSV."""

import csv
import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import display_for_field, display_for_value, label_for_field, lookup_field, unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import capfirst, smart_split
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model

from .dates import EARLIEST_DATE, LATEST_DATE
from .exceptions import Conflict
from .limits import SEARCH_MAX_LENGTH, SEARCH_MAX_TERMS


class _Rollback(Exception):
    pass


def dry_run(call):
    """Runs `call` inside a savepoint that is always rolled back: its checks, without its writes."""
    try:
        with transaction.atomic():
            call()
            raise _Rollback
    except _Rollback:
        pass


def as_form_error(exc, form):
    """A service's refusal as a form error; rules about fields the form does not show go on top."""
    if isinstance(exc, Conflict):
        return ValidationError(str(exc))
    if isinstance(exc, PermissionDenied):
        return ValidationError(str(exc) or _("No tiene permiso para esta operación."))
    if not hasattr(exc, "error_dict"):
        return exc
    errors = {}
    for name, field_messages in exc.error_dict.items():
        errors.setdefault(name if name in form.fields else NON_FIELD_ERRORS, []).extend(field_messages)
    return ValidationError(errors)


class ServiceAdminMixin:
    """Saves through the app's services, never through `obj.save()`, so the admin obeys the
    same rules as the API (one source of truth per rule).

    Subclasses implement `service_save(request=, obj=, data=)`: `obj` is None when adding,
    else a fresh copy from the database; `data` is the form's cleaned data. The form first
    runs it as a dry run, so a refusal is shown on the form instead of failing the save.
    """

    def service_save(self, *, request, obj, data):
        raise NotImplementedError

    def _stored(self, obj):
        return type(obj)._default_manager.get(pk=obj.pk) if obj is not None and obj.pk else None

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)
        modeladmin = self

        class ServiceForm(base):
            def clean(self):
                data = super().clean()
                if not self.errors:
                    stored = modeladmin._stored(self.instance)
                    try:
                        dry_run(lambda: modeladmin.service_save(request=request, obj=stored, data=data))
                    except (ValidationError, Conflict, PermissionDenied) as exc:
                        raise as_form_error(exc, self) from exc
                return data

        ServiceForm.__name__ = base.__name__
        return ServiceForm

    def save_model(self, request, obj, form, change):
        saved = self.service_save(request=request, obj=self._stored(obj) if change else None, data=form.cleaned_data)
        obj.pk = saved.pk
        obj._state.adding = False

    # Optional: `service_delete(request=, obj=)` for models whose deletion has consequences
    # (a consulta's weight); without it Django's own delete applies (protected rows are refused
    # on its confirmation page).
    service_delete = None

    def delete_model(self, request, obj):
        if self.service_delete is None:
            return super().delete_model(request, obj)
        self.service_delete(request=request, obj=obj)

    def delete_queryset(self, request, queryset):
        if self.service_delete is None:
            return super().delete_queryset(request, queryset)
        with transaction.atomic():
            for obj in queryset:
                self.service_delete(request=request, obj=obj)


def check_date_drill_down(field, params):
    """Refuses a date drill-down (`<field>__year`, `__month`, `__day`) the changelist cannot
    compute, as Django does for other bad lookups (IncorrectLookupParameters: a redirect to `?e=1`).

    Django checks only that the date exists; its bounds for the year's (month's, day's) end and
    the shift to UTC fail with a 500 at the calendar's edges (year 1, year 9999), and the
    drill-down template builds a date from a lone month or day too. Years outside the system's
    range of dates (core.dates) hold no row anyway.
    """
    parts = {}
    for part in ("year", "month", "day"):
        values = params.get(f"{field}__{part}")
        if values:
            try:
                parts[part] = int(values[-1])  # the last value, as ChangeList reads it
            except ValueError as exc:
                raise IncorrectLookupParameters(exc) from exc
    if not parts:
        return
    if "year" in parts and not EARLIEST_DATE.year <= parts["year"] <= LATEST_DATE.year:
        raise IncorrectLookupParameters(f"{field}__year out of range")
    try:
        datetime.date(parts.get("year", 2000), parts.get("month", 1), parts.get("day", 1))  # 2000: a leap year
    except ValueError as exc:
        raise IncorrectLookupParameters(exc) from exc


class SafeChangeList(ChangeList):
    """A changelist whose odd query strings redirect to `?e=1`, as Django does for unknown
    lookups, instead of a 500: the date drill-down (checked before the template builds dates
    from it), and any lookup the database cannot compute, such as `creado_en__year=10000`
    or `fin__gte=0001-01-01` (Django applies the lookups when it builds the queryset, but
    their values fail only when the query is compiled, here)."""

    def get_filters(self, request):
        if self.date_hierarchy:
            check_date_drill_down(self.date_hierarchy, self.filter_params)
        return super().get_filters(request)

    def get_results(self, request):
        try:
            super().get_results(request)
        except (ValueError, OverflowError, ValidationError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class SafeListsMixin:
    """For every ModelAdmin of the site: lists that answer odd query strings without a 500
    (`SafeChangeList`), and a search bounded like the API's (`core.limits`)."""

    def get_changelist(self, request, **kwargs):
        return SafeChangeList

    def search_refused(self, request, search_term):
        """True (and a warning for the user) when the search is longer than the API allows."""
        if len(search_term) > SEARCH_MAX_LENGTH or len(list(smart_split(search_term))) > SEARCH_MAX_TERMS:
            self.message_user(
                request,
                _("La búsqueda no puede superar %(n)d caracteres ni %(terms)d términos.")
                % {"n": SEARCH_MAX_LENGTH, "terms": SEARCH_MAX_TERMS},
                messages.WARNING,
            )
            return True
        return False

    def get_search_results(self, request, queryset, search_term):
        if self.search_refused(request, search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class HistoryAdmin(SafeListsMixin, SimpleHistoryAdmin):
    """Every admin of a model with an audit history: the history is for looking at, never for
    writing back. django-simple-history's "revert" saves a historical version through the
    form after checking only view-or-change permission, bypassing the services (and letting
    view-only staff change records): here any POST to a version is refused, whoever sends it.

    It also keeps odd URLs (a non-numeric id) at 404 and date drill-downs at the calendar's
    edges at a redirect, instead of a 500.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def _check_history_ids(self, object_id, version_id=None):
        try:
            self.model._meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                get_history_model_for_model(self.model)._meta.pk.to_python(version_id)
        except ValidationError as exc:
            raise Http404 from exc

    def history_view(self, request, object_id, extra_context=None):
        self._check_history_ids(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        self._check_history_ids(object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


# A cell a spreadsheet would take for a formula (OWASP "CSV injection"): `=HYPERLINK(...)`
# typed as a surname by an owner through the API must reach the export as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(text):
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _cell(modeladmin, name, obj):
    try:
        field, attr, value = lookup_field(name, obj, modeladmin)
    except (AttributeError, LookupError):
        return ""
    if isinstance(value, bool):
        return str(_("Sí") if value else _("No"))
    if field is not None and not getattr(field, "many_to_many", False):
        if getattr(field, "flatchoices", None) and value not in (None, ""):
            value = dict(field.flatchoices).get(value, value)
            return str(value)
        if field.is_relation:
            return "" if value is None else str(value)
        text = display_for_field(value, field, "")
    else:
        text = display_for_value(value, "", boolean=getattr(attr, "boolean", False))
    return strip_tags(str(text))


@admin.action(description=_("Exportar las filas seleccionadas a CSV"), permissions=["view"])
def export_csv(modeladmin, request, queryset):
    """The selected rows with the changelist's columns, as a spreadsheet opens them
    (UTF-8 with BOM, `;`-separated)."""
    columns = [name for name in modeladmin.get_list_display(request) if name != "action_checkbox"]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{modeladmin.opts.model_name}-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [capfirst(strip_tags(str(label_for_field(name, modeladmin.model, modeladmin)))) for name in columns]
    )
    for obj in queryset:
        writer.writerow([_as_text(_cell(modeladmin, name, obj)) for name in columns])
    return response


admin.site.add_action(export_csv, "export_csv")

admin.site.site_header = admin.site.site_title = settings.CLINIC_NAME
admin.site.index_title = _("Recepción y consulta")
admin.site.site_url = None  # the backend serves no public site to link to
