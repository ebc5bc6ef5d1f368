from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ServiceAdminMixin
from pacientes import services as pacientes_services
from pacientes.models import Paciente

from . import services
from .models import Cliente
from .selectors import num_pacientes_subquery


class PacienteInline(admin.TabularInline):
    model = Paciente
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


@admin.register(Cliente)
class ClienteAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    list_display = ("apellidos", "nombre", "documento", "telefono", "email", "ciudad", "num_pacientes", "activo")
    list_display_links = ("apellidos", "nombre")
    list_filter = ("activo", "ciudad")
    search_fields = ("nombre", "apellidos", "documento", "email", "telefono")
    search_help_text = _("Nombre, apellidos, documento, email o teléfono.")
    # The link to a login is managed from the user (accounts.services), never from here.
    readonly_fields = ("usuario", "creado_en", "actualizado_en")
    inlines = [PacienteInline]
    fieldsets = (
        (None, {"fields": ("nombre", "apellidos", "documento", "activo")}),
        (_("Contacto"), {"fields": ("telefono", "email", "direccion", "ciudad")}),
        (_("Otros"), {"fields": ("notas", "usuario", "creado_en", "actualizado_en")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_num_pacientes=num_pacientes_subquery())

    @admin.display(description=_("pacientes"), ordering="_num_pacientes")
    def num_pacientes(self, obj):
        return obj._num_pacientes

    def service_save(self, *, request, obj, data):
        if obj is None:
            return services.cliente_create(actor=request.user, **data)
        return services.cliente_update(actor=request.user, cliente=obj, data=data)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Paciente:
            return super().save_formset(request, form, formset, change)
        # The pets typed in the inline are written by the pacientes services, like any other.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed():
                continue
            data = {**inline_form.cleaned_data, "propietario": form.instance}
            if inline_form.instance.pk:
                stored = Paciente.objects.get(pk=inline_form.instance.pk)
                saved = pacientes_services.paciente_update(actor=request.user, paciente=stored, data=data)
                formset.changed_objects.append((saved, inline_form.changed_data))
            else:
                formset.new_objects.append(pacientes_services.paciente_create(actor=request.user, **data))
