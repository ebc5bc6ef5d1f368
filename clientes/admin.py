from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from pacientes.models import Paciente

from .models import Cliente
from .selectors import num_pacientes_subquery


class PacienteInline(admin.TabularInline):
    model = Paciente
    fields = ("nombre", "especie", "raza", "sexo", "fecha_nacimiento", "microchip", "fallecido", "activo")
    extra = 0
    show_change_link = True


@admin.register(Cliente)
class ClienteAdmin(SimpleHistoryAdmin):
    list_display = ("apellidos", "nombre", "documento", "telefono", "email", "ciudad", "num_pacientes", "activo")
    list_display_links = ("apellidos", "nombre")
    list_filter = ("activo", "ciudad")
    search_fields = ("nombre", "apellidos", "documento", "email", "telefono")
    readonly_fields = ("creado_en", "actualizado_en")
    autocomplete_fields = ("usuario",)
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
