"""Writes on billing: catalogue, presupuestos, facturas (lines, emission, rectification), pagos
and the charges the clinical record adds to an owner's open borrador.

Lock order of an emission: the sede's chain head (CadenaSede), then the series counter
(ContadorSerie), then the factura. Every emission at a sede takes the first, so the chain and
the numbers of a sede move one emission at a time; the counter row, not MAX()+1, gives the
number, so a rolled-back emission gives its number back and two never share one. A payment
locks the factura's row, so two payments never overpay it together; removing one locks the
factura, then the pago. Every service here takes
its row locks before it publishes an event (integraciones/outbox.py: the event-ordering lock
is the last one a writer takes).
"""

import hashlib
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events
from core.exceptions import TIENE_REGISTROS_RELACIONADOS, Conflict
from core.services import delete_or_conflict, lock_rows, model_update, retry_on_deadlock, save_validated
from sedes.services import check_sede_de_trabajo, resolve_sede

from .arithmetic import IMPORTE_MAXIMO, cabe, importes_linea, totales
from .models import (
    CadenaSede,
    ContadorSerie,
    EstadoFactura,
    EstadoPresupuesto,
    Factura,
    Impuesto,
    LineaFactura,
    LineaPresupuesto,
    Pago,
    Presupuesto,
    Producto,
    Serie,
)

FACTURA_NO_EDITABLE = "factura_no_editable"
FACTURA_VACIA = "factura_vacia"
IMPORTE_FUERA_DE_RANGO = "importe_fuera_de_rango"
IMPUESTO_INACTIVO = "impuesto_inactivo"
PRODUCTO_INACTIVO = "producto_inactivo"
FACTURA_NO_EMITIDA = "factura_no_emitida"
IMPORTE_EXCEDE_PENDIENTE = "importe_excede_pendiente"
FECHA_FUTURA = "fecha_futura"
PAGO_ANTERIOR_A_FACTURA = "pago_anterior_a_factura"
NO_RECTIFICABLE = "no_rectificable"
YA_RECTIFICADA = "ya_rectificada"
TRANSICION_INVALIDA = "transicion_invalida"

IMPUESTO_FIELDS = ("nombre", "porcentaje", "activo")
PRODUCTO_FIELDS = ("codigo", "nombre", "tipo", "precio", "impuesto", "activo")
DOCUMENTO_FIELDS = ("cliente", "paciente", "notas")
PRESUPUESTO_FIELDS = (*DOCUMENTO_FIELDS, "valido_hasta")
LINEA_FIELDS = ("producto", "descripcion", "cantidad", "precio_unitario", "descuento_pct", "impuesto")


# --- catálogo -------------------------------------------------------------------------------


@transaction.atomic
def impuesto_create(*, actor, **data) -> Impuesto:
    return save_validated(Impuesto(**{k: v for k, v in data.items() if k in IMPUESTO_FIELDS}), actor=actor)


@transaction.atomic
def impuesto_update(*, actor, impuesto, data) -> Impuesto:
    return model_update(actor=actor, instance=impuesto, data=data, fields=IMPUESTO_FIELDS)[0]


@transaction.atomic
def impuesto_delete(*, actor, impuesto) -> None:
    delete_or_conflict(impuesto, actor=actor, detail=_("El impuesto está en uso; desactívelo."))


@transaction.atomic
def producto_create(*, actor, **data) -> Producto:
    return save_validated(Producto(**{k: v for k, v in data.items() if k in PRODUCTO_FIELDS}), actor=actor)


@transaction.atomic
def producto_update(*, actor, producto, data) -> Producto:
    return model_update(actor=actor, instance=producto, data=data, fields=PRODUCTO_FIELDS)[0]


@transaction.atomic
def producto_delete(*, actor, producto) -> None:
    delete_or_conflict(producto, actor=actor, detail=_("El producto está en uso; desactívelo."))


# --- líneas y documentos ---------------------------------------------------------------------


def _error(field, message, code):
    return ValidationError({field: ValidationError(message, code=code)})


def _check_paciente(cliente, paciente):
    if paciente is not None and paciente.propietario_id != cliente.pk:
        raise _error("paciente", _("El paciente no pertenece a este cliente."), "paciente_de_otro_cliente")


def check_activos(campos, *, attr):
    """A new line names an active producto and impuesto (an inactive one stays on the lines
    already written, but is no longer sold): the one rule of manual lines and cargos."""
    producto = campos.get("producto")
    if producto is not None and not producto.activo:
        raise _error(f"{attr}.producto", _("El producto está inactivo."), PRODUCTO_INACTIVO)
    impuesto = campos["impuesto"]
    if not impuesto.activo:
        # The impuesto the caller named, else the producto's (then the producto is what they sent).
        campo = "impuesto" if producto is None or impuesto != producto.impuesto else "producto"
        raise _error(f"{attr}.{campo}", _("El impuesto está inactivo."), IMPUESTO_INACTIVO)


def linea_resuelta(datos, *, index, negativa=False, attr=None):
    """The fields of a line from what a caller sent: the producto gives the defaults of
    descripcion, precio_unitario and impuesto; the amounts follow (facturacion.arithmetic).
    Errors name `attr` (default `lineas.<index>`) and the field."""
    attr = attr or f"lineas.{index}"
    producto = datos.get("producto")
    campos = {name: datos[name] for name in LINEA_FIELDS if datos.get(name) not in (None, "")}
    if producto is not None:
        campos.setdefault("descripcion", producto.nombre)
        campos.setdefault("precio_unitario", producto.precio)
        campos.setdefault("impuesto", producto.impuesto)
    for name in ("descripcion", "cantidad", "precio_unitario", "impuesto"):
        if campos.get(name) in (None, ""):
            raise _error(f"{attr}.{name}", _("Este campo es requerido."), "required")
    check_activos(campos, attr=attr)
    cantidad = Decimal(campos["cantidad"])
    if (cantidad >= 0) if negativa else (cantidad <= 0):
        message = _("La cantidad debe ser negativa.") if negativa else _("La cantidad debe ser mayor que 0.")
        raise _error(f"{attr}.cantidad", message, "cantidad_invalida")
    campos.setdefault("descuento_pct", Decimal("0"))
    impuesto = campos["impuesto"]
    campos["porcentaje"] = impuesto.porcentaje
    campos["orden"] = index
    # The fields as their columns hold them (digits, places, length, the descuento's range),
    # before any arithmetic on them.
    try:
        LineaFactura(**campos).clean_fields(exclude=["factura", "producto", "impuesto", "base", "cuota", "total"])
    except ValidationError as exc:
        raise ValidationError({f"{attr}.{name}": errors for name, errors in exc.error_dict.items()}) from exc
    campos["base"], campos["cuota"], campos["total"] = importes_linea(
        cantidad=cantidad,
        precio_unitario=campos["precio_unitario"],
        descuento_pct=campos["descuento_pct"],
        porcentaje=impuesto.porcentaje,
    )
    if not cabe(campos["base"], campos["cuota"], campos["total"]):
        # The caller sent cantidad (and maybe precio_unitario), never the amounts: name cantidad.
        raise _error(f"{attr}.cantidad", _importe_excesivo(), IMPORTE_FUERA_DE_RANGO)
    return campos


def _importe_excesivo():
    return _("El importe supera el máximo de %(maximo)s.") % {"maximo": IMPORTE_MAXIMO}


def _set_lineas(documento, lineas, *, model, fk, negativas=False, actor=None, append=False, attr="lineas"):
    """Replaces (or, with `append`, extends) the lines of `documento` and stores its totals.
    Every line is checked before any is written; errors name `attr`.N (`attr` for the sum)."""
    manager = documento.lineas
    inicio = manager.count() if append else 0
    resueltas = [
        linea_resuelta(datos, index=inicio + offset, negativa=negativas, attr=f"{attr}.{offset}")
        for offset, datos in enumerate(lineas)
    ]
    previas = list(manager.all()) if append else []
    nuevas = [model(**{fk: documento}, **campos) for campos in resueltas]
    if not cabe(*totales([*previas, *nuevas])):
        raise _error(attr, _importe_excesivo(), IMPORTE_FUERA_DE_RANGO)
    if not append:
        manager.all().delete()
    model.objects.bulk_create(nuevas)
    _store_totales(documento, actor=actor)


def _store_totales(documento, *, actor=None):
    documento.base_imponible, documento.total_impuestos, documento.total = totales(list(documento.lineas.all()))
    save_validated(
        documento, actor=actor, update_fields=["base_imponible", "total_impuestos", "total", "actualizado_en"]
    )


def _check_editable(documento):
    if documento.estado != "borrador":
        raise Conflict(_("Solo un borrador puede modificarse o eliminarse."), FACTURA_NO_EDITABLE)


def _check_modificable(factura):
    """A borrador that may change: not a rectificativa, whose sede, cliente and lines are the
    negation of its original (it is only emitted or deleted)."""
    _check_editable(factura)
    if factura.serie == Serie.RECTIFICATIVA:
        raise Conflict(_("Una rectificativa no se modifica: se emite o se elimina."), FACTURA_NO_EDITABLE)


def _lock(documento):
    return lock_rows(type(documento).objects.filter(pk=documento.pk)).get()


# --- facturas --------------------------------------------------------------------------------


@transaction.atomic
def factura_create(
    *, actor, cliente, sede=None, paciente=None, notas="", lineas=(), serie=Serie.FACTURA, rectifica=None
):
    """A borrador at `sede` (the only active one when omitted) with `lineas`."""
    sede = resolve_sede(sede)
    check_sede_de_trabajo(actor=actor, sede=sede)
    _check_paciente(cliente, paciente)
    factura = save_validated(
        Factura(sede=sede, cliente=cliente, paciente=paciente, notas=notas, serie=serie, rectifica=rectifica),
        actor=actor,
    )
    _set_lineas(factura, lineas, model=LineaFactura, fk="factura", negativas=serie == Serie.RECTIFICATIVA, actor=actor)
    return factura


@transaction.atomic
def factura_update(*, actor, factura, data) -> Factura:
    """Changes a borrador of serie F (cliente, paciente, notas; `lineas` replaces every line)."""
    factura = _lock(factura)
    _check_modificable(factura)
    if "sede" in data and data["sede"] is not None and data["sede"] != factura.sede:
        check_sede_de_trabajo(actor=actor, sede=data["sede"])
        factura.sede = data["sede"]
        save_validated(factura, actor=actor, update_fields=["sede", "actualizado_en"])
    cliente = data.get("cliente", factura.cliente)
    _check_paciente(cliente, data.get("paciente", factura.paciente))
    model_update(actor=actor, instance=factura, data=data, fields=DOCUMENTO_FIELDS)
    if "lineas" in data:
        _set_lineas(factura, data["lineas"], model=LineaFactura, fk="factura", actor=actor)
    return factura


@transaction.atomic
def factura_delete(*, actor, factura) -> None:
    factura = _lock(factura)
    _check_editable(factura)
    delete_or_conflict(factura, actor=actor, detail=_("La factura tiene registros relacionados."))


def contenido_para_hash(factura, lineas, hash_anterior) -> bytes:
    """The canonical bytes the chain hashes: what the invoice says, and the previous hash."""
    texto = lambda value: None if value is None else str(value)  # noqa: E731
    contenido = {
        "sede": factura.sede_id,
        "serie": factura.serie,
        "anio": factura.anio,
        "numero": factura.numero,
        "codigo": factura.codigo,
        "fecha": texto(factura.fecha),
        "cliente": factura.cliente_id,
        "paciente": factura.paciente_id,
        "rectifica": factura.rectifica_id,
        "base_imponible": texto(factura.base_imponible),
        "total_impuestos": texto(factura.total_impuestos),
        "total": texto(factura.total),
        "lineas": [
            [
                linea.producto_id,
                linea.descripcion,
                texto(linea.cantidad),
                texto(linea.precio_unitario),
                texto(linea.descuento_pct),
                linea.impuesto_id,
                texto(linea.porcentaje),
                texto(linea.base),
                texto(linea.cuota),
                texto(linea.total),
            ]
            for linea in lineas
        ],
        "anterior": hash_anterior,
    }
    return json.dumps(contenido, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def calcular_hash(factura, lineas, hash_anterior) -> str:
    return hashlib.sha256(contenido_para_hash(factura, lineas, hash_anterior)).hexdigest()


def lock_cadena(sede):
    """The head of `sede`'s chain, created when missing and locked until commit (lock step 1)."""
    CadenaSede.objects.bulk_create([CadenaSede(sede=sede)], ignore_conflicts=True)
    return lock_rows(CadenaSede.objects.filter(sede=sede)).get()


def _siguiente_numero(sede, serie, anio):
    """The next number of (sede, serie, year), from its counter row locked until commit."""
    ContadorSerie.objects.bulk_create([ContadorSerie(sede=sede, serie=serie, anio=anio)], ignore_conflicts=True)
    contador = lock_rows(ContadorSerie.objects.filter(sede=sede, serie=serie, anio=anio)).get()
    contador.ultimo += 1
    contador.save(update_fields=["ultimo"])
    return contador.ultimo


@retry_on_deadlock
@transaction.atomic
def factura_emitir(*, actor, factura) -> Factura:
    """Numbers, dates and chains a borrador; emitting a rectificativa voids the original.

    Every row lock is taken before the first event is published (core.events.publish takes
    the event-ordering lock, integraciones/outbox.py): the chain head, the factura, the
    original of a rectificativa, then the counter; a payment of that original (pago_create)
    locks it before publishing too, so neither waits on the other while holding what it needs."""
    cadena = lock_cadena(factura.sede)
    factura = lock_rows(Factura.objects.filter(pk=factura.pk)).select_related("sede").get()
    _check_editable(factura)
    lineas = list(factura.lineas.all())
    if not lineas:
        raise _error("lineas", _("No se puede emitir una factura sin líneas."), FACTURA_VACIA)
    original = None
    if factura.rectifica_id:
        original = _lock(factura.rectifica)
        if original.estado not in (EstadoFactura.EMITIDA, EstadoFactura.PAGADA):
            raise Conflict(_("La factura rectificada ya está anulada."), YA_RECTIFICADA)
    ahora = timezone.now()
    factura.fecha = timezone.localtime(ahora, factura.sede.zona).date()
    factura.anio = factura.fecha.year
    factura.numero = _siguiente_numero(factura.sede, factura.serie, factura.anio)
    factura.codigo = f"{factura.sede.codigo}-{factura.serie}-{factura.anio}-{factura.numero:06d}"
    factura.base_imponible, factura.total_impuestos, factura.total = totales(lineas)
    factura.posicion_cadena = cadena.longitud + 1
    factura.hash_anterior = cadena.ultimo_hash
    factura.hash = calcular_hash(factura, lineas, cadena.ultimo_hash)
    # Nothing to collect (a zero total) is settled on emission; a rectificativa's negative
    # pendiente is what the clinic owes back, never a payment (README, Billing).
    factura.estado = (
        EstadoFactura.PAGADA if factura.serie == Serie.FACTURA and factura.pendiente == 0 else EstadoFactura.EMITIDA
    )
    factura.emitida_en = ahora
    save_validated(factura, actor=actor)
    cadena.longitud, cadena.ultimo_hash = factura.posicion_cadena, factura.hash
    cadena.save(update_fields=["longitud", "ultimo_hash"])
    if original is not None:
        original.estado = EstadoFactura.ANULADA
        save_validated(original, actor=actor, update_fields=["estado", "actualizado_en"])
    events.publish("factura.emitida", instance=factura, sede=factura.sede_id)
    if original is not None:
        events.publish("factura.anulada", instance=original, sede=original.sede_id)
    return factura


@transaction.atomic
def factura_rectificar(*, actor, factura) -> Factura:
    """A borrador of serie R that negates every line of an emitida or pagada invoice."""
    factura = _lock(factura)
    if factura.estado not in (EstadoFactura.EMITIDA, EstadoFactura.PAGADA) or factura.serie != Serie.FACTURA:
        raise Conflict(_("Solo una factura emitida o pagada puede rectificarse."), NO_RECTIFICABLE)
    # Under the original's lock, so two requests never both find it unrectified.
    if Factura.objects.filter(rectifica=factura).exists():
        raise Conflict(_("La factura ya tiene una rectificativa."), YA_RECTIFICADA)
    rectificativa = factura_create(
        actor=actor,
        cliente=factura.cliente,
        sede=factura.sede,
        paciente=factura.paciente,
        notas=_("Rectifica %(codigo)s") % {"codigo": factura.codigo},
        serie=Serie.RECTIFICATIVA,
        rectifica=factura,
    )
    # Each line negated as it was invoiced (its rate and amounts, not today's): since rounding
    # is half-up away from zero, these are also what the arithmetic gives for -cantidad.
    LineaFactura.objects.bulk_create(
        LineaFactura(
            factura=rectificativa,
            **{name: getattr(linea, name) for name in ("producto", "descripcion", "precio_unitario")},
            **{name: getattr(linea, name) for name in ("descuento_pct", "impuesto", "porcentaje", "orden")},
            **{name: -getattr(linea, name) for name in ("cantidad", "base", "cuota", "total")},
        )
        for linea in factura.lineas.all()
    )
    _store_totales(rectificativa, actor=actor)
    return rectificativa


def verificar_cadena(*, sede) -> dict:
    """Walks the sede's chain in emission order and names the first invoice whose stored hash
    is not the hash of its content and its predecessor's hash (or that breaks the order)."""
    anterior = ""
    facturas = (
        Factura.objects.filter(sede=sede, posicion_cadena__isnull=False)
        .order_by("posicion_cadena")
        .prefetch_related("lineas")
    )
    for posicion, factura in enumerate(facturas.iterator(chunk_size=500), start=1):
        lineas = list(factura.lineas.all())
        if (
            factura.posicion_cadena != posicion
            or factura.hash_anterior != anterior
            or calcular_hash(factura, lineas, anterior) != factura.hash
        ):
            return {"valida": False, "primera_rota": factura.pk}
        anterior = factura.hash
    return {"valida": True, "primera_rota": None}


# --- pagos -----------------------------------------------------------------------------------


def _check_fecha_pago(factura, fecha):
    """A payment's date (default: today at the factura's sede) lies from the factura's fecha to
    the sede's today."""
    hoy = timezone.localtime(timezone.now(), factura.sede.zona).date()
    if fecha is None:
        return hoy
    if fecha > hoy:
        raise _error("fecha", _("La fecha del pago no puede ser futura."), FECHA_FUTURA)
    if fecha < factura.fecha:
        raise _error(
            "fecha",
            _("La fecha del pago no puede ser anterior a la de la factura (%(fecha)s).") % {"fecha": factura.fecha},
            PAGO_ANTERIOR_A_FACTURA,
        )
    return fecha


@transaction.atomic
def pago_create(*, actor, factura, importe, fecha=None, metodo="efectivo", referencia="") -> Pago:
    """Records a payment of at most what is pending; the factura becomes pagada when settled."""
    factura = lock_rows(Factura.objects.filter(pk=factura.pk).select_related("sede"), of=("self",)).get()
    if factura.estado != EstadoFactura.EMITIDA:
        raise _error(
            "factura", _("Solo se registran pagos de facturas emitidas pendientes de pago."), FACTURA_NO_EMITIDA
        )
    if importe > factura.pendiente:
        raise _error(
            "importe",
            _("El importe supera lo pendiente (%(pendiente)s).") % {"pendiente": factura.pendiente},
            IMPORTE_EXCEDE_PENDIENTE,
        )
    fecha = _check_fecha_pago(factura, fecha)
    pago = save_validated(
        Pago(
            factura=factura,
            importe=importe,
            fecha=fecha,
            metodo=metodo,
            referencia=referencia,
            creado_por=actor,
        ),
        actor=actor,
    )
    factura.pagado += importe
    if factura.pendiente == 0:
        factura.estado = EstadoFactura.PAGADA
    factura.save(update_fields=["pagado", "estado", "actualizado_en"])
    events.publish("pago.registrado", instance=pago, sede=factura.sede_id)
    return pago


@transaction.atomic
def pago_delete(*, actor, pago) -> None:
    """Removes a payment (admin); a pagada factura goes back to emitida.

    The factura's row is locked first (as a payment does), then the pago's, re-read under the
    lock: a concurrent removal already took it off, so it is 404 and not subtracted twice."""
    factura = lock_rows(Factura.objects.filter(pk=pago.factura_id)).get()
    pago = lock_rows(Pago.objects.filter(pk=pago.pk)).first()
    if pago is None:
        raise Http404(_("El pago ya no existe."))
    factura.pagado -= pago.importe
    if factura.estado == EstadoFactura.PAGADA and factura.pendiente > 0:
        factura.estado = EstadoFactura.EMITIDA
    factura.save(update_fields=["pagado", "estado", "actualizado_en"])
    delete_or_conflict(
        pago, actor=actor, detail=_("El pago tiene registros relacionados."), code=TIENE_REGISTROS_RELACIONADOS
    )


# --- presupuestos ----------------------------------------------------------------------------


@transaction.atomic
def presupuesto_create(*, actor, cliente, sede=None, paciente=None, notas="", valido_hasta=None, lineas=()):
    sede = resolve_sede(sede)
    check_sede_de_trabajo(actor=actor, sede=sede)
    _check_paciente(cliente, paciente)
    presupuesto = save_validated(
        Presupuesto(sede=sede, cliente=cliente, paciente=paciente, notas=notas, valido_hasta=valido_hasta),
        actor=actor,
    )
    _set_lineas(presupuesto, lineas, model=LineaPresupuesto, fk="presupuesto", actor=actor)
    return presupuesto


@transaction.atomic
def presupuesto_update(*, actor, presupuesto, data) -> Presupuesto:
    presupuesto = _lock(presupuesto)
    _check_editable(presupuesto)
    _check_paciente(data.get("cliente", presupuesto.cliente), data.get("paciente", presupuesto.paciente))
    model_update(actor=actor, instance=presupuesto, data=data, fields=PRESUPUESTO_FIELDS)
    if "lineas" in data:
        _set_lineas(presupuesto, data["lineas"], model=LineaPresupuesto, fk="presupuesto", actor=actor)
    return presupuesto


@transaction.atomic
def presupuesto_delete(*, actor, presupuesto) -> None:
    presupuesto = _lock(presupuesto)
    _check_editable(presupuesto)
    delete_or_conflict(presupuesto, actor=actor, detail=_("El presupuesto tiene registros relacionados."))


# From each state, the states an action leads to.
TRANSICIONES_PRESUPUESTO = {
    "aceptar": ({EstadoPresupuesto.BORRADOR}, EstadoPresupuesto.ACEPTADO),
    "rechazar": ({EstadoPresupuesto.BORRADOR, EstadoPresupuesto.ACEPTADO}, EstadoPresupuesto.RECHAZADO),
}


@transaction.atomic
def presupuesto_transition(*, actor, presupuesto, accion) -> Presupuesto:
    presupuesto = _lock(presupuesto)
    desde, hacia = TRANSICIONES_PRESUPUESTO[accion]
    if presupuesto.estado not in desde:
        raise Conflict(_("El presupuesto no admite esta acción en su estado."), TRANSICION_INVALIDA)
    presupuesto.estado = hacia
    save_validated(presupuesto, actor=actor, update_fields=["estado", "actualizado_en"])
    return presupuesto


@transaction.atomic
def presupuesto_facturar(*, actor, presupuesto) -> Factura:
    """A factura borrador with the presupuesto's lines; the presupuesto becomes facturado."""
    presupuesto = _lock(presupuesto)
    if presupuesto.estado not in (EstadoPresupuesto.BORRADOR, EstadoPresupuesto.ACEPTADO):
        raise Conflict(_("El presupuesto ya está facturado o rechazado."), TRANSICION_INVALIDA)
    lineas = [{name: getattr(linea, name) for name in LINEA_FIELDS} for linea in presupuesto.lineas.all()]
    factura = factura_create(
        actor=actor,
        cliente=presupuesto.cliente,
        sede=presupuesto.sede,
        paciente=presupuesto.paciente,
        notas=presupuesto.notas,
        lineas=lineas,
    )
    presupuesto.estado, presupuesto.factura = EstadoPresupuesto.FACTURADO, factura
    save_validated(presupuesto, actor=actor, update_fields=["estado", "factura", "actualizado_en"])
    return factura


# --- cargos automáticos ----------------------------------------------------------------------


def borrador_abierto(*, actor, cliente, sede) -> Factura:
    """The owner's newest open borrador (serie F) at `sede`, locked; created when none."""
    abierto = (
        lock_rows(
            Factura.objects.filter(cliente=cliente, sede=sede, estado=EstadoFactura.BORRADOR, serie=Serie.FACTURA)
        )
        .order_by("-creado_en", "-pk")
        .first()
    )
    if abierto is not None:
        return abierto
    return save_validated(Factura(sede=sede, cliente=cliente), actor=actor)


def cargos_automaticos(*, actor, origen, cliente, paciente, sede, productos) -> Factura | None:
    """Adds `productos` ([{"producto": id, "cantidad"}]) given at a consulta or vacuna as lines of
    the owner's open borrador at `sede` (the only active one when None), in the caller's
    transaction (historial calls this through historial.services.register_cargos). The sede is
    checked as an invoice's (active, the actor works there); lines as manual ones."""
    if not productos:
        return None
    sede = resolve_sede(sede)
    check_sede_de_trabajo(actor=actor, sede=sede)
    ids = {item["producto"] for item in productos}
    encontrados = Producto.objects.select_related("impuesto").filter(pk__in=ids).in_bulk()
    lineas = []
    for index, item in enumerate(productos):
        producto = encontrados.get(item["producto"])
        if producto is None:
            raise _error(f"productos.{index}.producto", _("Producto no válido."), "does_not_exist")
        lineas.append({"producto": producto, "cantidad": item.get("cantidad") or Decimal("1")})
    factura = borrador_abierto(actor=actor, cliente=cliente, sede=sede)
    if paciente is not None and factura.paciente_id is None and not factura.lineas.exists():
        factura.paciente = paciente
        save_validated(factura, actor=actor, update_fields=["paciente", "actualizado_en"])
    _set_lineas(factura, lineas, model=LineaFactura, fk="factura", actor=actor, append=True, attr="productos")
    return factura
