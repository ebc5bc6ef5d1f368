"""The texts of reminders: whitelisted variables, rendering, SMS segments and the built-in
defaults for every tipo × canal × idioma.

A template is a `str.format` text whose only fields are the names of VARIABLES, bare (`{sede}`:
no attribute, index, conversion or format spec), so rendering can never reach an object's
attributes; `{{` and `}}` are literal braces.
"""

import math
import string
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

VARIABLES = ("cliente", "paciente", "vacuna", "fecha", "hora", "sede", "telefono_sede")

# What the preview and `segmentos` render a template with.
EJEMPLO = {
    "cliente": "Marta",
    "paciente": "Nube",
    "vacuna": "Rabia",
    "fecha": "14/03/2027",
    "hora": "10:30",
    "sede": "Clínica Veterinaria",
    "telefono_sede": "+34910000000",
}

# GSM 03.38: the basic set (one septet each) and the extension table (escape + one: two).
GSM7_BASICO = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


def variables_de(texto) -> list[str]:
    """The fields `texto` uses; ValidationError when it is not a well-formed template."""
    try:
        campos = [
            (nombre, conversion, formato)
            for _literal, nombre, formato, conversion in string.Formatter().parse(texto)
            if nombre is not None
        ]
    except ValueError as exc:
        raise ValidationError(
            _("La plantilla tiene una llave sin cerrar o sin abrir (use {{ y }} para llaves literales)."),
            code="plantilla_invalida",
        ) from exc
    return campos


def validate_plantilla(texto):
    """Only the whitelisted variables, bare: any other `{name}` is refused."""
    desconocidas = []
    for nombre, conversion, formato in variables_de(texto):
        if nombre not in VARIABLES or conversion or formato:
            desconocidas.append("{" + nombre + "}")
    if desconocidas:
        raise ValidationError(
            _("Variables no permitidas: %(variables)s. Se admiten: %(permitidas)s."),
            code="variable_desconocida",
            params={
                "variables": ", ".join(desconocidas),
                "permitidas": ", ".join("{" + v + "}" for v in VARIABLES),
            },
        )


def render(texto, valores: dict) -> str:
    """`texto` (already validated) with each variable replaced by its value in `valores`."""
    return texto.format_map({nombre: valores.get(nombre, "") for nombre in VARIABLES})


@dataclass(frozen=True)
class Segmentos:
    codificacion: str  # "GSM-7" or "UCS-2"
    caracteres: int  # septets (GSM-7, an extension character counts two) or UTF-16 units
    partes: int


def segmentos(texto) -> Segmentos:
    """How many SMS parts `texto` takes: GSM-7 160 in one part, 153 per part of a longer one
    (extension characters such as € or [ count double); anything outside GSM-7 makes the whole
    message UCS-2: 70 in one part, 67 per part."""
    if all(c in GSM7_BASICO or c in GSM7_EXTENSION for c in texto):
        caracteres = sum(2 if c in GSM7_EXTENSION else 1 for c in texto)
        codificacion, uno, varios = "GSM-7", 160, 153
    else:
        caracteres = len(texto.encode("utf-16-le")) // 2
        codificacion, uno, varios = "UCS-2", 70, 67
    if caracteres == 0:
        partes = 0
    elif caracteres <= uno:
        partes = 1
    else:
        partes = math.ceil(caracteres / varios)
    return Segmentos(codificacion=codificacion, caracteres=caracteres, partes=partes)


@dataclass(frozen=True)
class Texto:
    """A template's texts. `opcional` is the part of a built-in `cuerpo` left out when the sede
    has no phone (a custom template says what it wants)."""

    asunto: str
    cuerpo: str
    opcional: str = ""

    def para(self, valores) -> "Texto":
        if self.opcional and not valores.get("telefono_sede"):
            return Texto(asunto=self.asunto, cuerpo=self.cuerpo.replace(self.opcional, ""))
        return self


_TEL_ES = " (tel. {telefono_sede})"
_TEL_EN = " (phone {telefono_sede})"
# (tipo, canal, idioma) → Texto. Email: the reminder's line in the owner's email. SMS texts keep
# to GSM-7 (no accents outside it, no «»), one part with usual names.
DEFECTO = {
    ("vacuna", "email", "es"): Texto(
        "{sede}: recordatorio para {cliente}",
        "- {paciente}: vacuna «{vacuna}», próxima dosis el {fecha} en {sede}" + _TEL_ES + ".",
        _TEL_ES,
    ),
    ("cita", "email", "es"): Texto(
        "{sede}: recordatorio para {cliente}",
        "- {paciente}: cita el {fecha} a las {hora} en {sede}" + _TEL_ES + ".",
        _TEL_ES,
    ),
    ("vacuna", "sms", "es"): Texto(
        "",
        "{sede}: a {paciente} le toca la vacuna {vacuna} el {fecha}. Pida cita en el {telefono_sede}.",
        " Pida cita en el {telefono_sede}.",
    ),
    ("cita", "sms", "es"): Texto(
        "",
        "{sede}: cita de {paciente} el {fecha} a las {hora}. Para cambiarla llame al {telefono_sede}.",
        " Para cambiarla llame al {telefono_sede}.",
    ),
    ("vacuna", "whatsapp", "es"): Texto(
        "",
        "Hola, {cliente}. Le recordamos que a {paciente} le toca la vacuna «{vacuna}» el {fecha} en {sede}. "
        "Pida cita en el {telefono_sede}.",
        " Pida cita en el {telefono_sede}.",
    ),
    ("cita", "whatsapp", "es"): Texto(
        "",
        "Hola, {cliente}. Le recordamos la cita de {paciente} el {fecha} a las {hora} en {sede}. "
        "Para cambiarla llame al {telefono_sede}.",
        " Para cambiarla llame al {telefono_sede}.",
    ),
    ("vacuna", "email", "en"): Texto(
        "{sede}: reminder for {cliente}",
        "- {paciente}: vaccine “{vacuna}”, next dose on {fecha} at {sede}" + _TEL_EN + ".",
        _TEL_EN,
    ),
    ("cita", "email", "en"): Texto(
        "{sede}: reminder for {cliente}",
        "- {paciente}: appointment on {fecha} at {hora} at {sede}" + _TEL_EN + ".",
        _TEL_EN,
    ),
    ("vacuna", "sms", "en"): Texto(
        "",
        "{sede}: {paciente} is due the {vacuna} vaccine on {fecha}. Book on {telefono_sede}.",
        " Book on {telefono_sede}.",
    ),
    ("cita", "sms", "en"): Texto(
        "",
        "{sede}: {paciente}'s appointment on {fecha} at {hora}. To change it call {telefono_sede}.",
        " To change it call {telefono_sede}.",
    ),
    ("vacuna", "whatsapp", "en"): Texto(
        "",
        "Hello, {cliente}. {paciente} is due the “{vacuna}” vaccine on {fecha} at {sede}. Book on {telefono_sede}.",
        " Book on {telefono_sede}.",
    ),
    ("cita", "whatsapp", "en"): Texto(
        "",
        "Hello, {cliente}. A reminder of {paciente}'s appointment on {fecha} at {hora} at {sede}. "
        "To change it call {telefono_sede}.",
        " To change it call {telefono_sede}.",
    ),
}
