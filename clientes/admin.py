from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin, ServiceAdminMixin

from . import services
from .models import Cliente
from .selectors import num_pacientes_subquery


@admin.register(Cliente)
class ClienteAdmin(ServiceAdminMixin, HistoryAdmin):
    list_display = ("apellidos", "nombre", "documento", "telefono", "email", "ciudad", "num_pacientes", "activo")
    list_display_links = ("apellidos", "nombre")
    list_filter = ("activo", "ciudad")
    search_fields = ("nombre", "apellidos", "documento", "email", "telefono")
    search_help_text = _("Nombre, apellidos, documento, email o teléfono.")
    # The link to a login is managed from the user (accounts.services), never from here.
    readonly_fields = ("usuario", "creado_en", "actualizado_en")
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
