from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Rol, User

from . import services
from .models import Consulta, Paciente, Vacuna


@admin.register(Paciente)
class PacienteAdmin(SimpleHistoryAdmin):
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
    list_select_related = ("propietario",)
    autocomplete_fields = ("propietario",)
    readonly_fields = ("creado_en", "actualizado_en")
    fieldsets = (
        (None, {"fields": ("nombre", "propietario", "especie", "raza", "sexo", "color", "activo")}),
        (_("Identificación"), {"fields": ("microchip", "fecha_nacimiento", "esterilizado", "peso_kg")}),
        (_("Salud"), {"fields": ("alergias", "notas", "fallecido", "fecha_fallecimiento")}),
        (_("Registro"), {"fields": ("creado_en", "actualizado_en")}),
    )

    @admin.display(description=_("teléfono"), ordering="propietario__telefono")
    def telefono_propietario(self, obj):
        return obj.propietario.telefono

    @admin.display(description=_("edad (años)"), ordering="fecha_nacimiento")
    def edad(self, obj):
        return obj.edad_en(timezone.localdate())


@admin.register(Consulta)
class ConsultaAdmin(SimpleHistoryAdmin):
    list_display = ("fecha", "paciente", "veterinario", "motivo", "peso_kg", "temperatura_c")
    list_filter = ("veterinario", "fecha")
    date_hierarchy = "fecha"
    search_fields = ("paciente__nombre", "paciente__microchip", "motivo", "diagnostico")
    list_select_related = ("paciente", "veterinario")
    autocomplete_fields = ("paciente",)
    raw_id_fields = ("cita",)
    readonly_fields = ("creado_en", "actualizado_en")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "veterinario":
            kwargs["queryset"] = User.objects.filter(rol=Rol.VETERINARIO, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Same rules as the API: the weight of the newest consulta is the patient's weight.
        super().save_model(request, obj, form, change)
        services.sync_peso(paciente=obj.paciente, actor=request.user)


@admin.register(Vacuna)
class VacunaAdmin(SimpleHistoryAdmin):
    list_display = ("nombre", "paciente", "fecha_aplicacion", "proxima_dosis", "lote", "veterinario")
    list_filter = ("nombre", "fecha_aplicacion", "proxima_dosis")
    date_hierarchy = "fecha_aplicacion"
    search_fields = ("nombre", "lote", "paciente__nombre", "paciente__microchip")
    list_select_related = ("paciente", "veterinario")
    autocomplete_fields = ("paciente",)
    readonly_fields = ("veterinario", "creado_en", "actualizado_en")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.veterinario = request.user
        super().save_model(request, obj, form, change)
