from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import SafeListsMixin, ServiceAdminMixin

from . import services
from .models import Mensaje, Plantilla
from .plantillas import EJEMPLO, render, segmentos
from .selectors import mensajes_visibles


def vista_previa_de(plantilla) -> tuple[str, str]:
    """(asunto, cuerpo) of `plantilla` rendered with example values (its sede's name and phone
    when it has one)."""
    valores = dict(EJEMPLO)
    if plantilla.sede_id:
        valores.update(sede=plantilla.sede.nombre, telefono_sede=plantilla.sede.telefono or EJEMPLO["telefono_sede"])
    return render(plantilla.asunto, valores), render(plantilla.cuerpo, valores)


@admin.register(Plantilla)
class PlantillaAdmin(ServiceAdminMixin, SafeListsMixin, admin.ModelAdmin):
    """The reminder texts; saved through recordatorios.services, so the variables are checked."""

    list_display = ("tipo", "canal", "idioma", "sede", "activo", "segmentos", "actualizado_en")
    list_filter = ("tipo", "canal", "idioma", "activo", "sede")
    list_select_related = ("sede",)
    search_fields = ("cuerpo", "asunto")
    readonly_fields = ("vista_previa", "creado_en", "actualizado_en")
    fieldsets = (
        (None, {"fields": ("tipo", "canal", "idioma", "sede", "activo")}),
        (
            _("Texto"),
            {
                "fields": ("asunto", "cuerpo", "vista_previa"),
                "description": _(
                    "Variables: {cliente}, {paciente}, {vacuna}, {fecha}, {hora}, {sede}, {telefono_sede}. "
                    "En email, el cuerpo es la línea del recordatorio dentro del mensaje al propietario."
                ),
            },
        ),
        (_("Registro"), {"fields": ("creado_en", "actualizado_en")}),
    )

    @admin.display(description=_("segmentos SMS"))
    def segmentos(self, obj):
        return obj.segmentos

    @admin.display(description=_("vista previa"))
    def vista_previa(self, obj):
        if obj is None or not obj.pk:
            return _("Guarde la plantilla para ver cómo queda.")
        asunto, cuerpo = vista_previa_de(obj)
        partes = segmentos(cuerpo)
        return format_html(
            '<div class="vista-previa">{}<pre style="white-space: pre-wrap">{}</pre><p>{}</p></div>',
            format_html("<p><strong>{}</strong></p>", asunto) if asunto else "",
            cuerpo,
            _("%(partes)s segmento(s) SMS · %(caracteres)s caracteres %(codificacion)s")
            % {"partes": partes.partes, "caracteres": partes.caracteres, "codificacion": partes.codificacion},
        )

    def service_save(self, *, request, obj, data):
        if obj is None:
            return services.plantilla_create(actor=request.user, **data)
        return services.plantilla_update(actor=request.user, plantilla=obj, data=data)

    def service_delete(self, *, request, obj):
        services.plantilla_delete(actor=request.user, plantilla=obj)


@admin.register(Mensaje)
class MensajeAdmin(SafeListsMixin, admin.ModelAdmin):
    """The log of reminder messages: read-only (the sweep and the providers write it)."""

    list_display = (
        "creado_en",
        "canal",
        "destinatario",
        "cliente",
        "recordatorio_tipo",
        "offset",
        "estado",
        "intentos",
        "enviado_en",
    )
    list_filter = ("canal", "estado", "recordatorio_tipo", "sede")
    list_select_related = ("cliente",)
    search_fields = ("destinatario", "proveedor_id", "cliente__apellidos", "cliente__nombre")
    ordering = ("-creado_en", "-id")
    raw_id_fields = ("cliente", "vacuna", "cita")

    def get_queryset(self, request):
        return mensajes_visibles(super().get_queryset(request), user=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
