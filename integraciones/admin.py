from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import APIKey

from core.admin import SafeListsMixin, ServiceAdminMixin

from . import services
from .models import Entrega, Evento, Integracion, Webhook

# The library's own key model is not used (integraciones.ClaveIntegracion is): no page for it.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evento)
class EventoAdmin(ReadOnlyAdminMixin, SafeListsMixin, admin.ModelAdmin):
    """The event feed, as integrators read it (read-only)."""

    list_display = ("id", "tipo", "sede", "objeto_id", "creado_en")
    list_filter = ("tipo", "sede")
    list_select_related = ("sede",)
    search_fields = ("=objeto_id", "=id")
    readonly_fields = ("id", "tipo", "sede", "objeto_id", "creado_en", "datos")


@admin.action(description=_("Reenviar las entregas seleccionadas"))
def reenviar(modeladmin, request, queryset):
    for entrega in queryset:
        services.entrega_reenviar(actor=request.user, entrega=entrega)
    modeladmin.message_user(request, _("%(n)s entregas en cola.") % {"n": queryset.count()}, messages.SUCCESS)


class EntregaInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Entrega
    fields = ("evento", "tipo", "intento", "estado", "codigo_http", "error", "duracion_ms", "proximo_intento")
    readonly_fields = fields
    ordering = ("-id",)
    max_num = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("evento")


@admin.register(Entrega)
class EntregaAdmin(ReadOnlyAdminMixin, SafeListsMixin, admin.ModelAdmin):
    """The delivery log of every webhook; `reenviar` queues deliveries again."""

    list_display = ("id", "webhook", "evento", "tipo", "intento", "estado", "codigo_http", "proximo_intento")
    list_filter = ("estado", "tipo")
    list_select_related = ("webhook", "evento")
    readonly_fields = (
        "webhook",
        "evento",
        "tipo",
        "intento",
        "estado",
        "codigo_http",
        "error",
        "duracion_ms",
        "proximo_intento",
        "creado_en",
        "actualizado_en",
    )
    actions = [reenviar]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser  # lets the action run; every field is read-only


@admin.action(description=_("Rotar el secreto (se muestra una vez)"))
def rotar_secreto(modeladmin, request, queryset):
    for webhook in queryset:
        webhook = services.webhook_rotar_secreto(actor=request.user, webhook=webhook)
        modeladmin.message_user(
            request, _("Nuevo secreto de %(url)s: %(secreto)s") % {"url": webhook.url, "secreto": webhook.secreto}
        )


@admin.action(description=_("Enviar un ping"))
def probar(modeladmin, request, queryset):
    for webhook in queryset:
        services.webhook_probar(actor=request.user, webhook=webhook)
    modeladmin.message_user(request, _("Ping en cola."), messages.SUCCESS)


@admin.register(Webhook)
class WebhookAdmin(ServiceAdminMixin, SafeListsMixin, admin.ModelAdmin):
    """Receivers of events, with their delivery log. The secret is shown once, on creation and
    by the `rotar_secreto` action."""

    list_display = ("url", "sede", "activo", "fallos_consecutivos", "desactivado_motivo", "actualizado_en")
    list_filter = ("activo", "sede")
    list_select_related = ("sede",)
    search_fields = ("url",)
    fields = ("url", "eventos", "sede", "activo", "fallos_consecutivos", "desactivado_motivo")
    readonly_fields = ("fallos_consecutivos", "desactivado_motivo")
    inlines = [EntregaInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = [rotar_secreto, probar]

    def service_save(self, *, request, obj, data):
        data = {name: data[name] for name in services.WEBHOOK_FIELDS if name in data}
        if obj is None:
            webhook = services.webhook_create(actor=request.user, **data)
            request._nuevo_secreto = webhook.secreto
            return webhook
        return services.webhook_update(actor=request.user, webhook=obj, data=data)

    def response_add(self, request, obj, post_url_continue=None):
        secreto = getattr(request, "_nuevo_secreto", None)
        if secreto:
            self.message_user(request, _("Secreto del webhook (no se volverá a mostrar): %s") % secreto)
        return super().response_add(request, obj, post_url_continue)

    def service_delete(self, *, request, obj):
        services.webhook_delete(actor=request.user, webhook=obj)


@admin.action(description=_("Rotar la clave (se muestra una vez)"))
def rotar_clave(modeladmin, request, queryset):
    for integracion in queryset:
        clave = services.integracion_rotar_clave(actor=request.user, integracion=integracion)
        modeladmin.message_user(
            request, _("Nueva clave de %(nombre)s: %(clave)s") % {"nombre": integracion, "clave": clave}
        )


@admin.register(Integracion)
class IntegracionAdmin(ServiceAdminMixin, SafeListsMixin, admin.ModelAdmin):
    """Integration keys. The key is shown once, on creation and by the `rotar_clave` action;
    only its hash is stored."""

    list_display = ("nombre", "activo", "ultimo_uso", "creado_en")
    list_filter = ("activo",)
    search_fields = ("nombre",)
    fields = ("nombre", "permisos", "sedes", "activo", "ultimo_uso", "usuario")
    readonly_fields = ("ultimo_uso", "usuario")
    filter_horizontal = ("sedes",)
    actions = [rotar_clave]

    def service_save(self, *, request, obj, data):
        data = {name: data[name] for name in (*services.INTEGRACION_FIELDS, "sedes") if name in data}
        if obj is None:
            integracion, request._nueva_clave = services.integracion_create(actor=request.user, **data)
            return integracion
        return services.integracion_update(actor=request.user, integracion=obj, data=data)

    def save_related(self, request, form, formsets, change):
        form.cleaned_data.pop("sedes", None)  # saved by the service
        super().save_related(request, form, formsets, change)

    def response_add(self, request, obj, post_url_continue=None):
        clave = getattr(request, "_nueva_clave", None)
        if clave:
            self.message_user(request, _("Clave de la integración (no se volverá a mostrar): %s") % clave)
        return super().response_add(request, obj, post_url_continue)

    def service_delete(self, *, request, obj):
        services.integracion_delete(actor=request.user, integracion=obj)
