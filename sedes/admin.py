from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import Rol, User
from core.admin import SafeListsMixin, ServiceAdminMixin

from . import services
from .models import Sede


def personal_asignable():
    """The users who work at particular sedes: an admin works at all of them."""
    return User.objects.filter(rol__in=[Rol.VETERINARIO, Rol.RECEPCIONISTA])


@admin.register(Sede)
class SedeAdmin(ServiceAdminMixin, SafeListsMixin, admin.ModelAdmin):
    """Sedes are managed by the admin role; other staff see them (their names head the agenda)."""

    list_display = ("nombre", "codigo", "zona_horaria", "telefono", "reserva_online", "activo")
    list_filter = ("activo", "reserva_online", "zona_horaria")
    search_fields = ("nombre", "codigo")
    readonly_fields = ("creado_en", "actualizado_en")
    filter_horizontal = ("personal",)
    fieldsets = (
        (None, {"fields": ("nombre", "codigo", "zona_horaria", "activo", "reserva_online")}),
        (_("Contacto"), {"fields": ("direccion", "telefono", "email")}),
        (_("Personal"), {"fields": ("personal",)}),
        (_("Registro"), {"fields": ("creado_en", "actualizado_en")}),
    )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "personal":
            kwargs["queryset"] = personal_asignable()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def service_save(self, *, request, obj, data):
        data = dict(data)
        personal = data.pop("personal", None)
        sede = (
            services.sede_create(actor=request.user, **data)
            if obj is None
            else services.sede_update(actor=request.user, sede=obj, data=data)
        )
        if personal is not None:
            services.sede_set_personal(actor=request.user, sede=sede, usuarios=personal)
        return sede

    def service_delete(self, *, request, obj):
        services.sede_delete(actor=request.user, sede=obj)

    def save_related(self, request, form, formsets, change):
        # `personal` is saved by the service (service_save); the form must not set it again.
        form.cleaned_data.pop("personal", None)
        super().save_related(request, form, formsets, change)
