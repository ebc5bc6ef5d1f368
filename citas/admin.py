import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from accounts.models import Rol
from accounts.scoping import CHANGE, may, sedes_de_trabajo
from accounts.selectors import veterinarios
from core.admin import HistoryAdmin, SafeListsMixin, ServiceAdminMixin, as_form_error
from core.dates import EARLIEST_DATE, LATEST_DATE, local_day_range
from core.exceptions import Conflict

from . import services
from .agenda import agenda_by_veterinario
from .models import Bloqueo, Cita, HorarioAtencion

# Buttons of the day's agenda: the state machine's actions, in the order a day goes.
AGENDA_ACCIONES = (
    ("confirmar", _("Confirmar")),
    ("iniciar", _("Iniciar")),
    ("completar", _("Completar")),
    ("no-asistio", _("No asistió")),
    ("cancelar", _("Cancelar")),
)


def _transition_action(accion, label):
    @admin.action(description=label, permissions=["change"])
    def apply(modeladmin, request, queryset):
        done, refused = 0, []
        for cita in queryset:
            try:
                services.cita_transition(cita=cita, accion=accion, actor=request.user)
                done += 1
            except Conflict as exc:
                refused.append(f"{cita}: {exc}")
        if done:
            modeladmin.message_user(request, _("%(n)s citas actualizadas.") % {"n": done}, messages.SUCCESS)
        for error in refused:
            modeladmin.message_user(request, error, messages.WARNING)

    apply.__name__ = f"accion_{accion.replace('-', '_')}"
    return apply


class CitaAdminForm(forms.ModelForm):
    request = None  # set by CitaAdmin.get_form: the rules depend on who books

    class Meta:
        model = Cita
        fields = ["sede", "paciente", "veterinario", "inicio", "fin", "motivo", "notas"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        cita = self.instance if self.instance.pk else None
        agenda_changed = cita is None or any(
            data.get(name) != getattr(cita, name) for name in ("inicio", "fin", "veterinario", "sede")
        )
        if agenda_changed:
            try:
                services.cita_validate(
                    paciente=data.get("paciente") or self.instance.paciente,
                    veterinario=data["veterinario"],
                    inicio=data["inicio"],
                    fin=data["fin"],
                    sede=data.get("sede"),
                    cita=cita,
                    actor=getattr(self.request, "user", None),
                )
            except (Conflict, ValidationError) as exc:
                # A rule about a field the form does not show (the paciente is read-only
                # on change) is reported above the form instead of crashing add_error().
                raise as_form_error(exc, self) from exc
        return data


@admin.register(Cita)
class CitaAdmin(HistoryAdmin):
    form = CitaAdminForm
    list_display = ("inicio", "fin", "sede", "paciente", "propietario", "veterinario", "estado", "motivo")
    list_filter = ("sede", "estado", "veterinario", "inicio")
    date_hierarchy = "inicio"
    search_fields = (
        "paciente__nombre",
        "paciente__microchip",
        "paciente__propietario__nombre",
        "paciente__propietario__apellidos",
        "paciente__propietario__telefono",
    )
    list_select_related = ("sede", "paciente", "paciente__propietario", "veterinario")
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

    def get_queryset(self, request):
        # A vet or receptionist sees the citas of the sedes they work at (accounts.scoping).
        return super().get_queryset(request).visible_to(request.user)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "sede":
            field.queryset = sedes_de_trabajo(request.user)
            field.required = False  # the services default it to the only active sede
            field.help_text = _("Por defecto, la única sede activa.")
        return field

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "paciente") if obj else fields

    def save_model(self, request, obj, form, change):
        # Same rules as the API: overlaps, past dates and state checks live in the services.
        data = {name: form.cleaned_data[name] for name in ("sede", "inicio", "fin", "veterinario", "motivo", "notas")}
        if change:
            services.cita_update(actor=request.user, cita=obj, data=data)
        else:
            created = services.cita_create(actor=request.user, paciente=form.cleaned_data["paciente"], **data)
            obj.pk = created.pk

    # --- the day's agenda ----------------------------------------------------------------

    def get_urls(self):
        opts = self.opts
        return [
            path("agenda/", self.admin_site.admin_view(self.agenda_view), name=f"{opts.app_label}_cita_agenda"),
            path(
                "<int:pk>/estado/<str:accion>/",
                self.admin_site.admin_view(self.transition_view),
                name=f"{opts.app_label}_cita_transition",
            ),
            *super().get_urls(),
        ]

    def _agenda_day(self, request):
        try:
            dia = datetime.date.fromisoformat(request.GET.get("fecha", ""))
        except ValueError:
            return timezone.localdate()
        # The page links the day before and after; outside the system's dates there are no citas.
        return dia if EARLIEST_DATE < dia < LATEST_DATE else timezone.localdate()

    def _agenda_sede(self, request):
        """The sede of the agenda (`?sede=ID`, among those the user works at), else their first."""
        sedes = list(sedes_de_trabajo(request.user).filter(activo=True))
        elegida = request.GET.get("sede", "")
        return next((s for s in sedes if str(s.pk) == elegida), sedes[0] if sedes else None), sedes

    def agenda_view(self, request):
        """The citas of one local day (today by default) at one sede, in the sede's zone, per
        vet, with the state actions each cita allows."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        sede, sedes = self._agenda_sede(request)
        zona = sede.zona if sede else timezone.get_current_timezone()
        with timezone.override(zona):
            dia = self._agenda_day(request)
            hoy = timezone.localdate()
        desde, hasta = local_day_range(dia, zona)
        citas = list(
            self.get_queryset(request)
            .filter(sede=sede, inicio__gte=desde, inicio__lt=hasta)
            .select_related("paciente__propietario", "veterinario")
            .order_by("inicio", "id")
        )
        may_change = self.has_change_permission(request)
        for cita in citas:
            cita.acciones = (
                [
                    (accion, label)
                    for accion, label in AGENDA_ACCIONES
                    if cita.estado in services.TRANSICIONES[accion][0]
                ]
                if may_change
                else []
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Agenda del día"),
            "dia": dia,
            "anterior": dia - datetime.timedelta(days=1),
            "siguiente": dia + datetime.timedelta(days=1),
            "hoy": hoy,
            "sede": sede,
            "sedes": sedes,
            "zona": zona,
            "agenda": agenda_by_veterinario(citas),
            "total": len(citas),
            "puede_reservar": self.has_add_permission(request),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/citas/cita/agenda.html", context)

    def transition_view(self, request, pk, accion):
        """POST from the agenda: one state action through the state machine, then back."""
        if request.method != "POST" or accion not in services.TRANSICIONES:
            raise PermissionDenied
        cita = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, cita):
            raise PermissionDenied
        try:
            cita = services.cita_transition(
                cita=cita, accion=accion, actor=request.user, motivo=request.POST.get("motivo", "")
            )
            self.message_user(
                request,
                _("%(cita)s: %(estado)s.") % {"cita": cita, "estado": cita.get_estado_display()},
                messages.SUCCESS,
            )
        except Conflict as exc:
            self.message_user(request, f"{cita}: {exc}", messages.WARNING)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:citas_cita_agenda")
        return HttpResponseRedirect(back)


class VeterinarioScopedAdmin(ServiceAdminMixin, HistoryAdmin):
    """For rows that belong to a vet: a vet picks only themselves and changes only their own."""

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may(request.user, obj, CHANGE))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may(request.user, obj, CHANGE))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "veterinario":
            vets = veterinarios()
            if request.user.rol == Rol.VETERINARIO:
                vets = vets.filter(pk=request.user.pk)
            kwargs["queryset"] = vets
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(HorarioAtencion)
class HorarioAtencionAdmin(ServiceAdminMixin, SafeListsMixin, admin.ModelAdmin):
    list_display = ("veterinario", "sede", "dia_semana", "hora_inicio", "hora_fin")
    list_filter = ("sede", "veterinario", "dia_semana")
    list_select_related = ("veterinario", "sede")

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "veterinario":
            kwargs["queryset"] = veterinarios()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def service_save(self, *, request, obj, data):
        return services.horario_save(actor=request.user, horario=obj or HorarioAtencion(), data=data)


@admin.register(Bloqueo)
class BloqueoAdmin(VeterinarioScopedAdmin):
    list_display = ("veterinario", "inicio", "fin", "motivo", "creado_por")
    list_filter = ("veterinario", "inicio")
    date_hierarchy = "inicio"
    list_select_related = ("veterinario", "creado_por")
    readonly_fields = ("creado_por", "creado_en", "actualizado_en")

    def service_save(self, *, request, obj, data):
        return services.bloqueo_save(actor=request.user, bloqueo=obj or Bloqueo(), data=data)

    def delete_model(self, request, obj):
        services.bloqueo_delete(actor=request.user, bloqueo=obj)

    def delete_queryset(self, request, queryset):
        for bloqueo in queryset:
            services.bloqueo_delete(actor=request.user, bloqueo=bloqueo)
