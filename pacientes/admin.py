from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Paciente


@admin.register(Paciente)
class PacienteAdmin(admin.ModelAdmin):
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
