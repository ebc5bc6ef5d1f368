from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clientes.admin import ClienteAdmin
from clientes.models import Cliente
from core.admin import HistoryAdmin, ServiceAdminMixin

from . import services
from .models import Paciente


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
    readonly_fields = ("ficha_propietario", "creado_en", "actualizado_en")
    fieldsets = (
        (None, {"fields": ("nombre", "propietario", "especie", "raza", "sexo", "color", "activo")}),
        (_("Identificación"), {"fields": ("microchip", "fecha_nacimiento", "esterilizado", "peso_kg")}),
        (_("Salud"), {"fields": ("alergias", "notas", "fallecido", "fecha_fallecimiento")}),
        (_("Registro"), {"fields": ("creado_en", "actualizado_en")}),
    )
    # Shown on an existing paciente's page, after the first fieldset (historial.admin adds its panels).
    ficha_fieldsets = ((_("Propietario"), {"fields": ("ficha_propietario",)}),)

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

    def service_save(self, *, request, obj, data):
        if obj is None:
            return services.paciente_create(actor=request.user, **data)
        return services.paciente_update(actor=request.user, paciente=obj, data=data)


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
