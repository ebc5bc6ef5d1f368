"""Billing in the admin, written through the services: a borrador is edited with its lines, an
emitted factura is read-only (the services and the database triggers refuse any change), and
emitir / rectificar are actions; payments are added inline on an emitted factura."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin import SafeListsMixin, ServiceAdminMixin
from core.exceptions import Conflict

from . import services
from .models import (
    EstadoFactura,
    EstadoPresupuesto,
    Factura,
    Impuesto,
    LineaFactura,
    LineaPresupuesto,
    Pago,
    Presupuesto,
    Producto,
)

LINEA_READONLY = ("porcentaje", "base", "cuota", "total")


@admin.register(Impuesto)
class ImpuestoAdmin(ServiceAdminMixin, SafeListsMixin, admin.ModelAdmin):
    list_display = ("nombre", "porcentaje", "activo")
    list_filter = ("activo",)
    search_fields = ("nombre",)

    def service_save(self, *, request, obj, data):
        if obj is None:
            return services.impuesto_create(actor=request.user, **data)
        return services.impuesto_update(actor=request.user, impuesto=obj, data=data)


@admin.register(Producto)
class ProductoAdmin(ServiceAdminMixin, SafeListsMixin, admin.ModelAdmin):
    list_display = ("codigo", "nombre", "tipo", "precio", "impuesto", "activo")
    list_filter = ("tipo", "activo", "impuesto")
    list_select_related = ("impuesto",)
    search_fields = ("codigo", "nombre")

    def service_save(self, *, request, obj, data):
        if obj is None:
            return services.producto_create(actor=request.user, **data)
        return services.producto_update(actor=request.user, producto=obj, data=data)


class LineaForm(forms.ModelForm):
    """A line whose descripcion, price and impuesto default to its producto's (services)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("descripcion", "precio_unitario", "impuesto"):
            self.fields[name].required = False


class LineaFormSet(forms.BaseInlineFormSet):
    """Checks each line as the services will (facturacion.services.linea_resuelta), so that a
    bad line is an error on the form, not a failed save."""

    def clean(self):
        super().clean()
        negativa = getattr(self.instance, "serie", None) == "R"
        filas = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        for index, datos in enumerate(filas):
            try:
                services.linea_resuelta(datos, index=index, negativa=negativa)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc


class LineaInline(admin.TabularInline):
    form = LineaForm
    formset = LineaFormSet
    fields = ("producto", "descripcion", "cantidad", "precio_unitario", "descuento_pct", "impuesto", *LINEA_READONLY)
    readonly_fields = LINEA_READONLY
    autocomplete_fields = ("producto",)
    extra = 1

    def _editable(self, obj):
        return obj is None or getattr(obj, "modificable", obj.estado == "borrador")

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class LineaFacturaInline(LineaInline):
    model = LineaFactura


class LineaPresupuestoInline(LineaInline):
    model = LineaPresupuesto


class PagoInline(admin.TabularInline):
    """Payments of an emitted factura: new ones go through services.pago_create; existing ones
    are never edited."""

    model = Pago
    fields = ("fecha", "importe", "metodo", "referencia", "creado_por")
    readonly_fields = ("creado_por",)
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is not None and obj.estado == EstadoFactura.EMITIDA else 0

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.estado == EstadoFactura.EMITIDA and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False


def _lineas(formset):
    return [
        {name: value for name, value in form.cleaned_data.items() if name in services.LINEA_FIELDS}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def _saved_nothing_by_hand(formset):
    # The services wrote the rows; the admin's change message reads these.
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class DocumentoAdmin(ServiceAdminMixin, SafeListsMixin, admin.ModelAdmin):
    list_select_related = ("sede", "cliente")
    autocomplete_fields = ("cliente", "paciente")
    search_fields = ("cliente__nombre", "cliente__apellidos")
    totales = ("base_imponible", "total_impuestos", "total")

    def get_queryset(self, request):
        # Staff see the documents of the sedes they work at, as in the API (accounts.scoping).
        return super().get_queryset(request).visible_to(request.user)

    def _report(self, request, exc):
        message = exc.message if isinstance(exc, Conflict) else "; ".join(exc.messages)
        self.message_user(request, message, messages.ERROR)


@admin.register(Factura)
class FacturaAdmin(DocumentoAdmin):
    list_display = ("__str__", "estado", "serie", "sede", "cliente", "fecha", "total", "pagado")
    list_filter = ("estado", "serie", "sede")
    search_fields = ("codigo", *DocumentoAdmin.search_fields)
    inlines = [LineaFacturaInline, PagoInline]
    actions = ["emitir", "rectificar"]
    emitida_fields = (
        "sede",
        "cliente",
        "paciente",
        "notas",
        "serie",
        "numero",
        "codigo",
        "fecha",
        "estado",
        "rectifica",
        *DocumentoAdmin.totales,
        "pagado",
        "hash_anterior",
        "hash",
        "emitida_en",
    )

    def get_fields(self, request, obj=None):
        if obj is not None and not obj.modificable:
            return self.emitida_fields
        return ("sede", "cliente", "paciente", "notas", "estado", *self.totales)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.modificable:
            return self.emitida_fields
        return ("estado", *self.totales)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.editable) and super().has_delete_permission(request, obj)

    def service_save(self, *, request, obj, data):
        campos = {name: data[name] for name in ("sede", "cliente", "paciente", "notas") if name in data}
        if obj is None:
            return services.factura_create(actor=request.user, **campos)
        if not obj.modificable:
            return obj  # only its payments may be added (PagoInline); a rectificativa, emitted
        # or deleted
        return services.factura_update(actor=request.user, factura=obj, data=campos)

    def service_delete(self, *, request, obj):
        services.factura_delete(actor=request.user, factura=obj)

    def save_formset(self, request, form, formset, change):
        factura = form.instance
        if formset.model is LineaFactura:
            if factura.modificable:
                services.factura_update(actor=request.user, factura=factura, data={"lineas": _lineas(formset)})
        elif formset.model is Pago:
            for pago_form in formset.forms:
                datos = pago_form.cleaned_data
                if pago_form.instance.pk is None and datos and not datos.get("DELETE") and datos.get("importe"):
                    try:
                        services.pago_create(
                            actor=request.user,
                            factura=factura,
                            importe=datos["importe"],
                            fecha=datos.get("fecha"),
                            metodo=datos.get("metodo") or "efectivo",
                            referencia=datos.get("referencia", ""),
                        )
                    except ValidationError as exc:
                        self._report(request, exc)
            for pago in [f.instance for f in formset.forms if f.cleaned_data.get("DELETE") and f.instance.pk]:
                services.pago_delete(actor=request.user, pago=pago)
        _saved_nothing_by_hand(formset)

    @admin.action(description=_("Emitir las facturas seleccionadas"))
    def emitir(self, request, queryset):
        emitidas = 0
        for factura in queryset.order_by("pk"):
            try:
                services.factura_emitir(actor=request.user, factura=factura)
                emitidas += 1
            except (Conflict, ValidationError) as exc:
                self._report(request, exc)
        self.message_user(request, _("%(n)d facturas emitidas.") % {"n": emitidas})

    @admin.action(description=_("Rectificar las facturas seleccionadas"))
    def rectificar(self, request, queryset):
        for factura in queryset.order_by("pk"):
            try:
                rectificativa = services.factura_rectificar(actor=request.user, factura=factura)
                self.message_user(request, _("Creado el borrador rectificativo %(id)s.") % {"id": rectificativa.pk})
            except Conflict as exc:
                self._report(request, exc)


@admin.register(Presupuesto)
class PresupuestoAdmin(DocumentoAdmin):
    list_display = ("__str__", "estado", "sede", "cliente", "valido_hasta", "total")
    list_filter = ("estado", "sede")
    inlines = [LineaPresupuestoInline]
    actions = ["facturar"]
    readonly_fields = ("estado", "factura", *DocumentoAdmin.totales)
    fields = ("sede", "cliente", "paciente", "valido_hasta", "notas", "estado", "factura", *DocumentoAdmin.totales)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.estado == EstadoPresupuesto.BORRADOR) and super().has_delete_permission(request, obj)

    def service_save(self, *, request, obj, data):
        campos = {n: data[n] for n in ("sede", "cliente", "paciente", "notas", "valido_hasta") if n in data}
        if obj is None:
            return services.presupuesto_create(actor=request.user, **campos)
        return services.presupuesto_update(actor=request.user, presupuesto=obj, data=campos)

    def service_delete(self, *, request, obj):
        services.presupuesto_delete(actor=request.user, presupuesto=obj)

    def save_formset(self, request, form, formset, change):
        if form.instance.estado == EstadoPresupuesto.BORRADOR:
            services.presupuesto_update(
                actor=request.user, presupuesto=form.instance, data={"lineas": _lineas(formset)}
            )
        _saved_nothing_by_hand(formset)

    @admin.action(description=_("Facturar los presupuestos seleccionados"))
    def facturar(self, request, queryset):
        for presupuesto in queryset.order_by("pk"):
            try:
                services.presupuesto_facturar(actor=request.user, presupuesto=presupuesto)
            except Conflict as exc:
                self._report(request, exc)


@admin.register(Pago)
class PagoAdmin(SafeListsMixin, admin.ModelAdmin):
    """Payments are recorded on their factura's page (PagoInline); here they are read, and an
    admin may delete one (the factura goes back to emitida)."""

    list_display = ("factura", "fecha", "importe", "metodo", "referencia", "creado_por")
    list_filter = ("metodo",)
    list_select_related = ("factura", "creado_por")
    search_fields = ("factura__codigo", "referencia")
    readonly_fields = ("factura", "fecha", "importe", "metodo", "referencia", "creado_por", "creado_en")

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.pago_delete(actor=request.user, pago=obj)

    def delete_queryset(self, request, queryset):
        for pago in queryset:
            services.pago_delete(actor=request.user, pago=pago)
