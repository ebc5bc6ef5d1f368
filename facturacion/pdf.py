"""An invoice as a PDF a clinic can hand over (ReportLab: pure Python, no system libraries)."""

import io

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .arithmetic import desglose


def _dinero(value):
    return f"{value:.2f} {settings.MONEDA}"


def _texto(value):
    # Paragraph reads a mini-markup: user text is escaped.
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _tabla(filas, anchos, *, cabecera=True):
    tabla = Table(filas, colWidths=anchos, hAlign="LEFT")
    estilo = [
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
    ]
    if cabecera:
        estilo.append(("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"))
    tabla.setStyle(TableStyle(estilo))
    return tabla


def factura_pdf(factura) -> bytes:
    """The PDF of `factura`: clinic and sede, client, lines, tax breakdown, totals and codigo."""
    estilos = getSampleStyleSheet()
    buffer = io.BytesIO()
    titulo = factura.codigo or _("Borrador %(id)s") % {"id": factura.pk}
    documento = SimpleDocTemplate(buffer, pagesize=A4, title=titulo, leftMargin=18 * mm, rightMargin=18 * mm)
    sede, cliente = factura.sede, factura.cliente
    tipo = _("Factura rectificativa") if factura.serie == "R" else _("Factura")
    partes = [
        Paragraph(_texto(settings.CLINIC_NAME), estilos["Title"]),
        Paragraph(
            _texto(" · ".join(filter(None, [sede.nombre, sede.direccion, sede.telefono, sede.email]))),
            estilos["Normal"],
        ),
        Spacer(1, 6 * mm),
        Paragraph(f"{_texto(tipo)} {_texto(titulo)}", estilos["Heading2"]),
        Paragraph(f"{_('Fecha')}: {factura.fecha or '—'}", estilos["Normal"]),
    ]
    if factura.rectifica_id:
        partes.append(Paragraph(f"{_('Rectifica')}: {_texto(factura.rectifica.codigo)}", estilos["Normal"]))
    cliente_lineas = [cliente.nombre_completo, cliente.documento, cliente.direccion, cliente.ciudad]
    partes += [
        Spacer(1, 4 * mm),
        Paragraph(f"<b>{_('Cliente')}</b>: " + _texto(" · ".join(filter(None, cliente_lineas))), estilos["Normal"]),
    ]
    if factura.paciente_id:
        partes.append(Paragraph(f"<b>{_('Paciente')}</b>: {_texto(factura.paciente.nombre)}", estilos["Normal"]))
    lineas = list(factura.lineas.all())
    filas = [[_("Descripción"), _("Cantidad"), _("Precio"), _("Dto. %"), _("IVA %"), _("Base"), _("Total")]]
    filas += [
        [
            Paragraph(_texto(linea.descripcion), estilos["BodyText"]),
            f"{linea.cantidad.normalize():f}",
            f"{linea.precio_unitario:.2f}",
            f"{linea.descuento_pct:.2f}",
            f"{linea.porcentaje:.2f}",
            f"{linea.base:.2f}",
            f"{linea.total:.2f}",
        ]
        for linea in lineas
    ]
    partes += [Spacer(1, 6 * mm), _tabla(filas, [70 * mm, 18 * mm, 18 * mm, 15 * mm, 15 * mm, 20 * mm, 20 * mm])]
    impuestos = [[_("Impuesto %"), _("Base"), _("Cuota")]]
    impuestos += [
        [f"{fila['porcentaje']:.2f}", _dinero(fila["base"]), _dinero(fila["cuota"])] for fila in desglose(lineas)
    ]
    partes += [Spacer(1, 6 * mm), _tabla(impuestos, [30 * mm, 35 * mm, 35 * mm])]
    totales = [
        [_("Base imponible"), _dinero(factura.base_imponible)],
        [_("Impuestos"), _dinero(factura.total_impuestos)],
        [_("Total"), _dinero(factura.total)],
    ]
    tabla_totales = _tabla(totales, [40 * mm, 40 * mm], cabecera=False)
    tabla_totales.setStyle(
        TableStyle([("FONTNAME", (0, 2), (-1, 2), "Helvetica-Bold"), ("LINEBELOW", (0, 0), (-1, 0), 0, colors.white)])
    )
    partes += [Spacer(1, 6 * mm), tabla_totales]
    if factura.hash:
        partes += [Spacer(1, 8 * mm), Paragraph(f"<font size=7>SHA-256: {factura.hash}</font>", estilos["Normal"])]
    documento.build(partes)
    return buffer.getvalue()
