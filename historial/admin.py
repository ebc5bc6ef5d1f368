from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.models import Rol
from accounts.scoping import CHANGE, may
from accounts.selectors import veterinarios
from core.admin import HistoryAdmin, ServiceAdminMixin
from pacientes.admin import PacienteAdmin
from pacientes.models import Paciente

from . import selectors, services
from .models import Consulta, Vacuna

ULTIMAS_CONSULTAS = 5


def _tabla(headers, rows):
    """A small read-only table for the patient's page; `rows` are tuples of safe or plain values."""
    if not rows:
        return format_html("<p>{}</p>", _("Sin registros."))
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((c,) for c in row)),) for row in rows)
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


def _fecha(value):
    return (
        timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if hasattr(value, "hour") else value.strftime("%d/%m/%Y")
    )


@admin.register(Consulta)
class ConsultaAdmin(ServiceAdminMixin, HistoryAdmin):
    """A vet records consultas as themselves and edits only their own (consulta_update says so too)."""

    list_display = ("fecha", "sede", "paciente", "veterinario", "motivo", "peso_kg", "temperatura_c")
    list_filter = ("sede", "veterinario", "fecha")
    date_hierarchy = "fecha"
    search_fields = ("paciente__nombre", "paciente__microchip", "motivo", "diagnostico")
    list_select_related = ("sede", "paciente", "veterinario")
    autocomplete_fields = ("paciente",)
    raw_id_fields = ("cita",)
    readonly_fields = ("creado_en", "actualizado_en")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "veterinario":
            kwargs["queryset"] = veterinarios()
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "sede":
            field.required = False  # historial.services.sede_de_consulta gives the default
            field.help_text = _("Por defecto, la de su cita, o la única sede activa del veterinario o de la clínica.")
        return field

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if request.user.rol != Rol.ADMIN:
            fields.append("veterinario")
        if obj is not None:
            fields.append("paciente")
        return fields

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may(request.user, obj, CHANGE))

    def service_save(self, *, request, obj, data):
        if obj is None:
            return services.consulta_create(actor=request.user, **data)
        return services.consulta_update(actor=request.user, consulta=obj, data=data)

    def service_delete(self, *, request, obj):
        services.consulta_delete(actor=request.user, consulta=obj)


@admin.register(Vacuna)
class VacunaAdmin(ServiceAdminMixin, HistoryAdmin):
    list_display = ("nombre", "paciente", "fecha_aplicacion", "proxima_dosis", "lote", "veterinario")
    list_filter = ("nombre", "fecha_aplicacion", "proxima_dosis")
    date_hierarchy = "fecha_aplicacion"
    search_fields = ("nombre", "lote", "paciente__nombre", "paciente__microchip")
    list_select_related = ("paciente", "veterinario")
    autocomplete_fields = ("paciente",)
    readonly_fields = ("veterinario", "creado_en", "actualizado_en")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "paciente") if obj else fields

    def service_save(self, *, request, obj, data):
        if obj is None:
            return services.vacuna_create(actor=request.user, **data)
        return services.vacuna_update(actor=request.user, vacuna=obj, data=data)


# --- the patient's page, with its clinical record ------------------------------------------
# Added here, not in pacientes.admin, so that dependencies keep pointing one way (historial → pacientes).


class PacienteConHistorialAdmin(PacienteAdmin):
    readonly_fields = (*PacienteAdmin.readonly_fields, "historial_pesos", "vacunas_pendientes", "ultimas_consultas")
    ficha_fieldsets = (
        *PacienteAdmin.ficha_fieldsets,
        (_("Historia clínica"), {"fields": ("ultimas_consultas", "vacunas_pendientes", "historial_pesos")}),
    )

    @admin.display(description=_("pesos"))
    def historial_pesos(self, obj):
        rows = [(_fecha(p["fecha"]), f"{p['peso_kg']} kg") for p in selectors.paciente_pesos(paciente=obj)]
        return _tabla((_("fecha"), _("peso")), rows)

    @admin.display(description=_("vacunas pendientes"))
    def vacunas_pendientes(self, obj):
        hoy = timezone.localdate()
        pendientes = (
            obj.vacunas.annotate(superada=selectors.later_dose_exists())
            .filter(proxima_dosis__isnull=False, superada=False)
            .order_by("proxima_dosis")
        )
        rows = [
            (
                v.nombre,
                _fecha(v.fecha_aplicacion),
                _fecha(v.proxima_dosis),
                _("vencida") if v.proxima_dosis < hoy else _("pendiente"),
            )
            for v in pendientes
        ]
        return _tabla((_("vacuna"), _("aplicada"), _("próxima dosis"), _("estado")), rows)

    @admin.display(description=_("últimas consultas"))
    def ultimas_consultas(self, obj):
        consultas = obj.consultas.select_related("veterinario").order_by("-fecha", "-id")[:ULTIMAS_CONSULTAS]
        rows = [
            (
                format_html(
                    '<a href="{}">{}</a>', reverse("admin:historial_consulta_change", args=[c.pk]), _fecha(c.fecha)
                ),
                c.veterinario,
                c.motivo,
                c.diagnostico or "—",
            )
            for c in consultas
        ]
        return _tabla((_("fecha"), _("veterinario"), _("motivo"), _("diagnóstico")), rows)


admin.site.unregister(Paciente)
admin.site.register(Paciente, PacienteConHistorialAdmin)
