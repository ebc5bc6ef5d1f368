from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.exceptions import Conflict

from . import services
from .models import Bloqueo, Cita, HorarioAtencion


def _transition_action(accion, label):
    @admin.action(description=label)
    def apply(modeladmin, request, queryset):
        done, refused = 0, []
        for cita in queryset:
            try:
                services.cita_transition(cita=cita, accion=accion, actor=request.user)
                done += 1
            except Conflict as exc:
                refused.append(f"{cita}: {exc.detail}")
        if done:
            modeladmin.message_user(request, _("%(n)s citas actualizadas.") % {"n": done}, messages.SUCCESS)
        for error in refused:
            modeladmin.message_user(request, error, messages.WARNING)

    apply.__name__ = f"accion_{accion.replace('-', '_')}"
    return apply


class CitaAdminForm(forms.ModelForm):
    class Meta:
        model = Cita
        fields = ["paciente", "veterinario", "inicio", "fin", "motivo", "notas"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        cita = self.instance if self.instance.pk else None
        agenda_changed = cita is None or any(
            data.get(name) != getattr(cita, name) for name in ("inicio", "fin", "veterinario")
        )
        if agenda_changed:
            try:
                services.cita_validate(
                    paciente=data.get("paciente") or self.instance.paciente,
                    veterinario=data["veterinario"],
                    inicio=data["inicio"],
                    fin=data["fin"],
                    cita=cita,
                )
            except Conflict as exc:
                raise forms.ValidationError(str(exc.detail)) from exc
            except ValidationError as exc:
                # A rule about a field the form does not show (the paciente is read-only
                # on change) is reported above the form instead of crashing add_error().
                raise self._on_form_fields(exc) from exc
        return data

    def _on_form_fields(self, exc):
        if not hasattr(exc, "error_dict"):
            return exc
        errors = {}
        for name, messages_ in exc.error_dict.items():
            errors.setdefault(name if name in self.fields else NON_FIELD_ERRORS, []).extend(messages_)
        return ValidationError(errors)


@admin.register(Cita)
class CitaAdmin(SimpleHistoryAdmin):
    form = CitaAdminForm
    list_display = ("inicio", "fin", "paciente", "propietario", "veterinario", "estado", "motivo")
    list_filter = ("estado", "veterinario", "inicio")
    date_hierarchy = "inicio"
    search_fields = (
        "paciente__nombre",
        "paciente__microchip",
        "paciente__propietario__nombre",
        "paciente__propietario__apellidos",
        "paciente__propietario__telefono",
    )
    list_select_related = ("paciente", "paciente__propietario", "veterinario")
    autocomplete_fields = ("paciente",)
    readonly_fields = ("estado", "motivo_cancelacion", "creado_por", "creado_en", "actualizado_en")
    actions = [
        _transition_action("confirmar", _("Confirmar las citas seleccionadas")),
        _transition_action("iniciar", _("Iniciar las citas seleccionadas")),
        _transition_action("completar", _("Completar las citas seleccionadas")),
        _transition_action("cancelar", _("Cancelar las citas seleccionadas")),
        _transition_action("no-asistio", _("Marcar como no asistidas")),
    ]

    @admin.display(description=_("propietario"), ordering="paciente__propietario__apellidos")
    def propietario(self, obj):
        return obj.paciente.propietario

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "paciente") if obj else fields

    def save_model(self, request, obj, form, change):
        # Same rules as the API: overlaps, past dates and state checks live in the services.
        data = {name: form.cleaned_data[name] for name in ("inicio", "fin", "veterinario", "motivo", "notas")}
        if change:
            services.cita_update(actor=request.user, cita=obj, data=data)
        else:
            created = services.cita_create(actor=request.user, paciente=form.cleaned_data["paciente"], **data)
            obj.pk = created.pk


@admin.register(HorarioAtencion)
class HorarioAtencionAdmin(admin.ModelAdmin):
    list_display = ("veterinario", "dia_semana", "hora_inicio", "hora_fin")
    list_filter = ("veterinario", "dia_semana")
    list_select_related = ("veterinario",)


@admin.register(Bloqueo)
class BloqueoAdmin(SimpleHistoryAdmin):
    list_display = ("veterinario", "inicio", "fin", "motivo", "creado_por")
    list_filter = ("veterinario", "inicio")
    date_hierarchy = "inicio"
    list_select_related = ("veterinario", "creado_por")
    readonly_fields = ("creado_por", "creado_en", "actualizado_en")
