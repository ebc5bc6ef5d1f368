"""`importar_pacientes`: pacientes from a CSV.

Key: `microchip` when present, else (owner, `nombre` case-insensitive, `especie`).
A microchip not stored yet also matches a paciente of that owner, name and
species that has no microchip: the file is adding the microchip to it.
"""

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from clientes.models import Cliente
from core.importing import Column, ModelImporter, choice_parser, fold, parse_bool, parse_date, parse_decimal

from .models import Especie, Paciente, Sexo

ESPECIE_SINONIMOS = {
    **dict.fromkeys(["perros", "perra", "perras", "canino", "canina", "caninos", "can", "dog"], Especie.PERRO),
    **dict.fromkeys(["gatos", "gata", "gatas", "felino", "felina", "felinos", "cat"], Especie.GATO),
    **dict.fromkeys(["aves", "pájaro", "pájaros", "loro", "periquito", "canario", "bird"], Especie.AVE),
    **dict.fromkeys(["conejos", "coneja", "conejas", "rabbit"], Especie.CONEJO),
    **dict.fromkeys(
        ["roedores", "hámster", "cobaya", "cobayas", "ratón", "rata", "chinchilla", "jerbo"], Especie.ROEDOR
    ),
    **dict.fromkeys(["reptiles", "tortuga", "serpiente", "iguana", "lagarto", "gecko"], Especie.REPTIL),
    **dict.fromkeys(["hurona", "hurones", "ferret"], Especie.HURON),
    **dict.fromkeys(["otros", "otra", "exótico"], Especie.OTRO),
}
SEXO_SINONIMOS = {
    **dict.fromkeys(["m", "male", "macho"], Sexo.MACHO),
    **dict.fromkeys(["h", "f", "female", "hembra"], Sexo.HEMBRA),
    **dict.fromkeys(["?", "desconocido", "desconocida", "nd"], Sexo.DESCONOCIDO),
}


class PacienteImporter(ModelImporter):
    model = Paciente
    columns = (
        Column("documento_propietario", required=True, blank=False),
        Column("nombre", required=True),
        Column("especie", choice_parser(Especie.choices, ESPECIE_SINONIMOS), required=True),
        Column("raza"),
        Column("sexo", choice_parser(Sexo.choices, SEXO_SINONIMOS)),
        Column("fecha_nacimiento", parse_date),
        Column("color"),
        Column("microchip"),
        Column("esterilizado", parse_bool),
        Column("peso_kg", parse_decimal),
        Column("alergias"),
        Column("notas"),
    )
    # The owner is looked up once per batch, not once per row by full_clean().
    clean_exclude = ("propietario",)
    key_fields = ("nombre",)

    def prepare(self, rows):
        documentos = {row.values["documento_propietario"].lower() for row in rows}
        owners = {
            fold(documento): pk
            for documento, pk in Cliente.objects.annotate(documento_lower=Lower("documento"))
            .filter(documento_lower__in=documentos)
            .values_list("documento", "pk")
        }
        for row in rows:
            documento = row.values["documento_propietario"]
            owner = owners.get(fold(documento))
            if owner is None:
                row.reject(
                    "documento_propietario",
                    _("no existe un cliente con documento %(documento)s") % {"documento": documento},
                )
                continue
            row.values["propietario_id"] = owner
            if not row.values.get("microchip"):
                for name in ("nombre", "especie"):
                    if name not in row.values:
                        row.reject(name, _("Este campo es obligatorio para identificar un paciente sin microchip."))

    def existing(self, rows):
        microchips = {row.values["microchip"] for row in rows if row.values.get("microchip")}
        owners = {row.values["propietario_id"] for row in rows}
        especies = {row.values["especie"] for row in rows if "especie" in row.values}
        return Paciente.objects.filter(Q(microchip__in=microchips) | Q(propietario_id__in=owners, especie__in=especies))

    def lookup_keys(self, row):
        values = row.values
        microchip = values.get("microchip")
        by_name = (values["propietario_id"], fold(values.get("nombre", "")), values.get("especie"))
        if not microchip:
            return [("nombre", *by_name)]
        if "nombre" in values and "especie" in values:
            return [("microchip", microchip), ("sin_microchip", *by_name)]
        return [("microchip", microchip)]

    def instance_keys(self, instance):
        by_name = (instance.propietario_id, fold(instance.nombre), instance.especie)
        if instance.microchip:
            return [("nombre", *by_name), ("microchip", instance.microchip)]
        return [("nombre", *by_name), ("sin_microchip", *by_name)]

    def ambiguous_error(self, row, key):
        return "nombre", _(
            "hay varios pacientes «%(nombre)s» (%(especie)s) de este propietario; indique el microchip"
        ) % {
            "nombre": row.values.get("nombre", ""),
            "especie": row.values.get("especie", ""),
        }
