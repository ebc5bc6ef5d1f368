from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.models import Rol, User
from clientes.admin import ClienteAdmin
from clientes.models import Cliente
from core.admin import HistoryAdmin, ServiceAdminMixin

from . import selectors, services
from .models import Consulta, Paciente, Vacuna

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


@admin.register(Paciente)
class PacienteAdmin(ServiceAdminMixin, HistoryAdmin):
    list_display = ("nombre", "especie", "raza", "propietario", "telefono_propietario", "edad", "microchip", "activo")
    list_filter = ("especie", "sexo", "esterilizado", "fallecido", "activo")
    search_fields = (
        "nombre",
        "microchip",
        "propietario__nombre",
        "propietario__apellidos",
        "propietario__documento",
        "propietario__telefono",
    )
    search_help_text = _("Nombre del paciente, microchip, nombre o apellidos del propietario, documento o teléfono.")
    list_select_related = ("propietario",)
    autocomplete_fields = ("propietario",)
    readonly_fields = (
        "ficha_propietario",
        "historial_pesos",
        "vacunas_pendientes",
        "ultimas_consultas",
        "creado_en",
        "actualizado_en",
    )
    fieldsets = (
        (None, {"fields": ("nombre", "propietario", "especie", "raza", "sexo", "color", "activo")}),
        (_("Identificación"), {"fields": ("microchip", "fecha_nacimiento", "esterilizado", "peso_kg")}),
        (_("Salud"), {"fields": ("alergias", "notas", "fallecido", "fecha_fallecimiento")}),
        (_("Registro"), {"fields": ("creado_en", "actualizado_en")}),
    )
    ficha_fieldsets = (
        (_("Propietario"), {"fields": ("ficha_propietario",)}),
        (_("Historia clínica"), {"fields": ("ultimas_consultas", "vacunas_pendientes", "historial_pesos")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return (*fieldsets[:1], *self.ficha_fieldsets, *fieldsets[1:]) if obj else fieldsets

    @admin.display(description=_("teléfono"), ordering="propietario__telefono")
    def telefono_propietario(self, obj):
        return obj.propietario.telefono

    @admin.display(description=_("edad (años)"), ordering="fecha_nacimiento")
    def edad(self, obj):
        return obj.edad_en(timezone.localdate())

    @admin.display(description=_("propietario"))
    def ficha_propietario(self, obj):
        propietario = obj.propietario
        url = reverse("admin:clientes_cliente_change", args=[propietario.pk])
        return format_html(
            '<a href="{}">{} {}</a> · {} · {}',
            url,
            propietario.nombre,
            propietario.apellidos,
            propietario.telefono,
            propietario.email or "—",
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
                    '<a href="{}">{}</a>', reverse("admin:pacientes_consulta_change", args=[c.pk]), _fecha(c.fecha)
                ),
                c.veterinario,
                c.motivo,
                c.diagnostico or "—",
            )
            for c in consultas
        ]
        return _tabla((_("fecha"), _("veterinario"), _("motivo"), _("diagnóstico")), rows)

    def service_save(self, *, request, obj, data):
        if obj is None:
            return services.paciente_create(actor=request.user, **data)
        return services.paciente_update(actor=request.user, paciente=obj, data=data)


@admin.register(Consulta)
class ConsultaAdmin(ServiceAdminMixin, HistoryAdmin):
    """A vet records consultas as themselves and edits only their own (consulta_update says so too)."""

    list_display = ("fecha", "paciente", "veterinario", "motivo", "peso_kg", "temperatura_c")
    list_filter = ("veterinario", "fecha")
    date_hierarchy = "fecha"
    search_fields = ("paciente__nombre", "paciente__microchip", "motivo", "diagnostico")
    list_select_related = ("paciente", "veterinario")
    autocomplete_fields = ("paciente",)
    raw_id_fields = ("cita",)
    readonly_fields = ("creado_en", "actualizado_en")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if request.user.rol != Rol.ADMIN:
            fields.append("veterinario")
        if obj is not None:
            fields.append("paciente")
        return fields

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and request.user.rol == Rol.VETERINARIO:
            return obj.veterinario_id == request.user.pk
        return allowed

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "veterinario":
            kwargs["queryset"] = User.objects.filter(rol=Rol.VETERINARIO, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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


# --- the client page, with its pets -------------------------------------------------------
# Added here, not in clientes.admin, so that dependencies keep pointing one way (pacientes → clientes).


class PacienteInlineFormSet(BaseInlineFormSet):
    def clean(self):
        """Each row is validated against the stored pacientes by its own form; two rows of this
        page with one microchip are only seen together, here (else the second save fails)."""
        super().clean()
        rows_by_chip = {}
        for form in self.forms:
            chip = getattr(form, "cleaned_data", {}).get("microchip")
            if chip:
                rows_by_chip.setdefault(chip, []).append(form)
        for chip, forms in rows_by_chip.items():
            for form in forms[1:]:
                form.add_error("microchip", _("El microchip %(chip)s está repetido en esta página.") % {"chip": chip})


class PacienteInline(admin.TabularInline):
    model = Paciente
    formset = PacienteInlineFormSet
    fields = (
        "nombre",
        "especie",
        "raza",
        "sexo",
        "fecha_nacimiento",
        "microchip",
        "fallecido",
        "fecha_fallecimiento",
        "activo",
    )
    extra = 0
    show_change_link = True
    can_delete = False  # a paciente with history is deactivated, never deleted from here


class ClienteConPacientesAdmin(ClienteAdmin):
    inlines = [PacienteInline]

    def save_formset(self, request, form, formset, change):
        # The pets typed in the inline are written by the pacientes services, like any other.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed():
                continue
            data = {**inline_form.cleaned_data, "propietario": form.instance}
            if inline_form.instance.pk:
                stored = Paciente.objects.get(pk=inline_form.instance.pk)
                saved = services.paciente_update(actor=request.user, paciente=stored, data=data)
                formset.changed_objects.append((saved, inline_form.changed_data))
            else:
                formset.new_objects.append(services.paciente_create(actor=request.user, **data))


admin.site.unregister(Cliente)
admin.site.register(Cliente, ClienteConPacientesAdmin)
