"""Billing: impuestos, productos, presupuestos, facturas with their lines, pagos.

Amounts are Decimal with 2 places (facturacion.arithmetic); a line keeps the rate of its
impuesto as it was when written (`porcentaje`), so that changing an impuesto later never
changes an invoice. Once emitted, a factura and its lines are immutable: the services refuse
(409 factura_no_editable) and database triggers (migration 0002) refuse every other path.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Ownership, ScopedQuerySet
from clientes.models import Cliente
from core.models import TimeStampedModel
from pacientes.models import Paciente
from sedes.models import Sede

from .arithmetic import IMPORTE_MAX_DIGITS

CERO = Decimal("0")
CIEN = Decimal("100")
PORCENTAJE_VALIDATORS = [MinValueValidator(CERO), MaxValueValidator(CIEN)]


def _importe(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name, max_digits=IMPORTE_MAX_DIGITS, decimal_places=2, default=Decimal("0.00"), **kwargs
    )


class Impuesto(TimeStampedModel):
    nombre = models.CharField(_("nombre"), max_length=60)
    porcentaje = models.DecimalField(_("porcentaje"), max_digits=5, decimal_places=2, validators=PORCENTAJE_VALIDATORS)
    activo = models.BooleanField(_("activo"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("impuesto")
        verbose_name_plural = _("impuestos")
        ordering = ["nombre", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(porcentaje__gte=0, porcentaje__lte=100),
                name="facturacion_impuesto_porcentaje_rango",
                violation_error_message=_("El porcentaje debe estar entre 0 y 100."),
            ),
        ]

    def __str__(self):
        return self.nombre


class TipoProducto(models.TextChoices):
    SERVICIO = "servicio", _("servicio")
    PRODUCTO = "producto", _("producto")
    MEDICAMENTO = "medicamento", _("medicamento")


class Producto(TimeStampedModel):
    codigo = models.CharField(_("código"), max_length=30)
    nombre = models.CharField(_("nombre"), max_length=120)
    tipo = models.CharField(_("tipo"), max_length=12, choices=TipoProducto.choices, default=TipoProducto.SERVICIO)
    precio = models.DecimalField(
        _("precio"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(CERO)],
        help_text=_("Sin impuestos."),
    )
    impuesto = models.ForeignKey(
        Impuesto, verbose_name=_("impuesto"), on_delete=models.PROTECT, related_name="productos"
    )
    activo = models.BooleanField(_("activo"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("producto")
        verbose_name_plural = _("productos")
        ordering = ["nombre", "id"]
        constraints = [
            # "cons" and "CONS" are one codigo (validate_constraints reports it on `codigo`).
            models.UniqueConstraint(
                Lower("codigo"),
                name="facturacion_producto_codigo_ci_unique",
                violation_error_code="unique",
                violation_error_message=_("Ya existe un producto con este código."),
            ),
            models.CheckConstraint(
                condition=models.Q(precio__gte=0),
                name="facturacion_producto_precio_no_negativo",
                violation_error_message=_("El precio no puede ser negativo."),
            ),
        ]

    def __str__(self):
        return f"{self.codigo} · {self.nombre}"

    def validate_constraints(self, exclude=None):
        # An expression's constraint has no field of its own to report on: it is codigo's.
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            if NON_FIELD_ERRORS in errors:
                errors.setdefault("codigo", []).extend(errors.pop(NON_FIELD_ERRORS))
            raise ValidationError(errors) from exc


class Documento(TimeStampedModel):
    """What a presupuesto and a factura share: who, where, and the totals of their lines."""

    sede = models.ForeignKey(Sede, verbose_name=_("sede"), on_delete=models.PROTECT, related_name="+")
    cliente = models.ForeignKey(Cliente, verbose_name=_("cliente"), on_delete=models.PROTECT, related_name="+")
    paciente = models.ForeignKey(
        Paciente, verbose_name=_("paciente"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notas = models.TextField(_("notas"), blank=True)
    base_imponible = _importe(_("base imponible"))
    total_impuestos = _importe(_("total impuestos"))
    total = _importe(_("total"))

    class Meta:
        abstract = True


class Linea(models.Model):
    """A line: amounts computed by facturacion.arithmetic.importes_linea when written."""

    producto = models.ForeignKey(
        Producto, verbose_name=_("producto"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    descripcion = models.CharField(_("descripción"), max_length=255)
    cantidad = models.DecimalField(_("cantidad"), max_digits=12, decimal_places=3)
    precio_unitario = models.DecimalField(_("precio unitario"), max_digits=12, decimal_places=2)
    descuento_pct = models.DecimalField(
        _("descuento (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PORCENTAJE_VALIDATORS
    )
    impuesto = models.ForeignKey(Impuesto, verbose_name=_("impuesto"), on_delete=models.PROTECT, related_name="+")
    porcentaje = models.DecimalField(_("porcentaje"), max_digits=5, decimal_places=2)
    base = _importe(_("base"))
    cuota = _importe(_("cuota"))
    total = _importe(_("total"))
    orden = models.PositiveIntegerField(_("orden"), default=0)

    class Meta:
        abstract = True
        ordering = ["orden", "id"]

    def __str__(self):
        return self.descripcion


class EstadoPresupuesto(models.TextChoices):
    BORRADOR = "borrador", _("borrador")
    ACEPTADO = "aceptado", _("aceptado")
    RECHAZADO = "rechazado", _("rechazado")
    FACTURADO = "facturado", _("facturado")


class Presupuesto(Documento):
    estado = models.CharField(
        _("estado"), max_length=10, choices=EstadoPresupuesto.choices, default=EstadoPresupuesto.BORRADOR
    )
    valido_hasta = models.DateField(_("válido hasta"), null=True, blank=True)
    factura = models.ForeignKey(
        "Factura", verbose_name=_("factura"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    ownership = Ownership(owner="cliente__usuario", sede="sede")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("presupuesto")
        verbose_name_plural = _("presupuestos")
        ordering = ["-creado_en", "-id"]

    def __str__(self):
        return _("Presupuesto %(id)s") % {"id": self.pk}


class LineaPresupuesto(Linea):
    presupuesto = models.ForeignKey(
        Presupuesto, verbose_name=_("presupuesto"), on_delete=models.CASCADE, related_name="lineas"
    )

    class Meta(Linea.Meta):
        verbose_name = _("línea de presupuesto")
        verbose_name_plural = _("líneas de presupuesto")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cantidad__gt=0), name="facturacion_lineapresupuesto_cantidad_positiva"
            ),
        ]


class Serie(models.TextChoices):
    FACTURA = "F", _("factura")
    RECTIFICATIVA = "R", _("rectificativa")


class EstadoFactura(models.TextChoices):
    BORRADOR = "borrador", _("borrador")
    EMITIDA = "emitida", _("emitida")
    PAGADA = "pagada", _("pagada")
    ANULADA = "anulada", _("anulada")


class Factura(Documento):
    serie = models.CharField(_("serie"), max_length=1, choices=Serie.choices, default=Serie.FACTURA)
    anio = models.PositiveIntegerField(_("año"), null=True, blank=True)
    numero = models.PositiveIntegerField(_("número"), null=True, blank=True)
    codigo = models.CharField(_("código"), max_length=40, blank=True)
    fecha = models.DateField(_("fecha"), null=True, blank=True)
    estado = models.CharField(_("estado"), max_length=10, choices=EstadoFactura.choices, default=EstadoFactura.BORRADOR)
    rectifica = models.ForeignKey(
        "self",
        verbose_name=_("rectifica"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectificativas",
    )
    pagado = _importe(_("pagado"))
    # The sede's chain: position and the hash of the previous emitted invoice of the sede.
    posicion_cadena = models.PositiveIntegerField(_("posición en la cadena"), null=True, blank=True)
    hash_anterior = models.CharField(_("hash anterior"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True)
    emitida_en = models.DateTimeField(_("emitida en"), null=True, blank=True)

    # Staff of a sede see its facturas; an owner sees their own once emitted (the selector
    # leaves the borradores out: facturacion.selectors.factura_list).
    ownership = Ownership(owner="cliente__usuario", sede="sede")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("factura")
        verbose_name_plural = _("facturas")
        ordering = ["-creado_en", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sede", "serie", "anio", "numero"],
                condition=models.Q(numero__isnull=False),
                name="facturacion_factura_numero_unico",
            ),
            models.UniqueConstraint(
                fields=["sede", "posicion_cadena"],
                condition=models.Q(posicion_cadena__isnull=False),
                name="facturacion_factura_cadena_unica",
            ),
            models.CheckConstraint(
                condition=models.Q(estado="borrador", numero__isnull=True)
                | (~models.Q(estado="borrador") & models.Q(numero__isnull=False, fecha__isnull=False)),
                name="facturacion_factura_numerada_si_emitida",
            ),
        ]
        indexes = [models.Index(fields=["sede", "fecha"], name="facturas_sede_fecha_idx")]

    def __str__(self):
        return self.codigo or _("Borrador %(id)s") % {"id": self.pk}

    @property
    def pendiente(self):
        return self.total - self.pagado

    @property
    def editable(self):
        """May still be deleted or emitted: a borrador."""
        return self.estado == EstadoFactura.BORRADOR

    @property
    def modificable(self):
        """May still change: a borrador of serie F (a rectificativa's content is its original's)."""
        return self.editable and self.serie == Serie.FACTURA


class LineaFactura(Linea):
    factura = models.ForeignKey(Factura, verbose_name=_("factura"), on_delete=models.CASCADE, related_name="lineas")

    class Meta(Linea.Meta):
        verbose_name = _("línea de factura")
        verbose_name_plural = _("líneas de factura")
        constraints = [
            models.CheckConstraint(condition=~models.Q(cantidad=0), name="facturacion_lineafactura_cantidad_no_cero"),
        ]


class ContadorSerie(models.Model):
    """The last number given in a (sede, serie, year): locked by the emitting transaction, so
    that numbers have no gaps and no duplicates under concurrent emissions."""

    sede = models.ForeignKey(Sede, verbose_name=_("sede"), on_delete=models.PROTECT, related_name="+")
    serie = models.CharField(_("serie"), max_length=1, choices=Serie.choices)
    anio = models.PositiveIntegerField(_("año"))
    ultimo = models.PositiveIntegerField(_("último número"), default=0)

    class Meta:
        verbose_name = _("contador de serie")
        verbose_name_plural = _("contadores de serie")
        constraints = [
            models.UniqueConstraint(fields=["sede", "serie", "anio"], name="facturacion_contador_unico"),
        ]

    def __str__(self):
        return f"{self.sede_id}-{self.serie}-{self.anio}: {self.ultimo}"


class CadenaSede(models.Model):
    """The head of a sede's hash chain: the last emitted invoice's hash and position. Locked
    first by every emission at the sede (then the series counter)."""

    sede = models.OneToOneField(Sede, verbose_name=_("sede"), on_delete=models.PROTECT, related_name="+")
    longitud = models.PositiveIntegerField(_("longitud"), default=0)
    ultimo_hash = models.CharField(_("último hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("cadena de la sede")
        verbose_name_plural = _("cadenas de las sedes")

    def __str__(self):
        return f"{self.sede_id}: {self.longitud}"


class MetodoPago(models.TextChoices):
    EFECTIVO = "efectivo", _("efectivo")
    TARJETA = "tarjeta", _("tarjeta")
    TRANSFERENCIA = "transferencia", _("transferencia")
    BIZUM = "bizum", _("bizum")
    OTRO = "otro", _("otro")


class Pago(TimeStampedModel):
    factura = models.ForeignKey(Factura, verbose_name=_("factura"), on_delete=models.PROTECT, related_name="pagos")
    fecha = models.DateField(_("fecha"))
    importe = models.DecimalField(_("importe"), max_digits=12, decimal_places=2)
    metodo = models.CharField(_("método"), max_length=13, choices=MetodoPago.choices, default=MetodoPago.EFECTIVO)
    referencia = models.CharField(_("referencia"), max_length=120, blank=True)
    creado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creado por"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    ownership = Ownership(owner="factura__cliente__usuario", sede="factura__sede")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pago")
        verbose_name_plural = _("pagos")
        ordering = ["-fecha", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(importe__gt=0),
                name="facturacion_pago_importe_positivo",
                violation_error_message=_("El importe debe ser mayor que 0."),
            ),
        ]

    def __str__(self):
        return f"{self.factura} · {self.importe}"
