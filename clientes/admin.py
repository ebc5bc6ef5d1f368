from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin, ServiceAdminMixin

from . import services
from .models import Cliente
from .selectors import SEARCH_FIELDS, cliente_search, num_pacientes_subquery


@admin.register(Cliente)
class ClienteAdmin(ServiceAdminMixin, HistoryAdmin):
    list_display = (
        "apellidos",
        "nombre",
        "documento",
        "telefono",
        "email",
        "ciudad",
        "movil",
        "canal_preferido",
        "num_pacientes",
        "activo",
    )
    list_display_links = ("apellidos", "nombre")
    list_filter = ("activo", "canal_preferido", "acepta_sms", "acepta_whatsapp", "ciudad")
    search_fields = SEARCH_FIELDS
    search_help_text = _("Nombre, apellidos, documento, email, teléfono o móvil (escrito de cualquier forma).")
    # The link to a login is managed from the user (accounts.services), never from here.
    readonly_fields = ("usuario", "creado_en", "actualizado_en")
    fieldsets = (
        (None, {"fields": ("nombre", "apellidos", "documento", "activo")}),
        (_("Contacto"), {"fields": ("telefono", "movil", "email", "direccion", "ciudad")}),
        (
            _("Comunicaciones"),
            {"fields": ("canal_preferido", "idioma", "acepta_email", "acepta_sms", "acepta_whatsapp")},
        ),
        (_("Otros"), {"fields": ("notas", "usuario", "creado_en", "actualizado_en")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_num_pacientes=num_pacientes_subquery())

    def get_search_results(self, request, queryset, search_term):
        """The API's search (clientes.selectors.cliente_search), so a phone is found however it
        is typed; bounded like every admin search (core.admin.SafeListsMixin)."""
        terms = search_term.split()
        if not terms:
            return queryset, False
        if self.search_refused(request, search_term):
            return queryset.none(), False
        return cliente_search(queryset, text=search_term, terms=terms), False

    @admin.display(description=_("pacientes"), ordering="_num_pacientes")
    def num_pacientes(self, obj):
        return obj._num_pacientes

    def service_save(self, *, request, obj, data):
        if obj is None:
            return services.cliente_create(actor=request.user, **data)
        return services.cliente_update(actor=request.user, cliente=obj, data=data)
