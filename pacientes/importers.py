"""`importar_pacientes`: pacientes from a CSV.

Pacientes — key: `microchip` when present, else (owner, `nombre` case-insensitive, `especie`).
A microchip not stored yet also matches a paciente of that owner, name and
species that has no microchip: the file is adding the microchip to it.
"""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Value
from django.utils.translation import gettext as _

from clientes.models import Cliente
from clientes.selectors import clientes_por_documento
from core.importing import Column, ModelImporter, choice_parser, fold, parse_bool, parse_date, parse_decimal

from .models import Especie, Paciente, Sexo
from .services import check_peso_manual, pesos_medidos

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
    eventos = ("paciente.creado", "paciente.actualizado")
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
    reads = (Cliente,)
    key_fields = ("nombre",)

    def prepare(self, rows):
        documentos = {row.values["documento_propietario"].lower() for row in rows}
        owners = {
            fold(documento): pk for documento, pk in clientes_por_documento(documentos).values_list("documento", "pk")
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
        # What lookup_keys() can reach: the microchips, every paciente of the owners of rows
        # without one (matched by name), and only the chipless ones of the owners of rows with
        # one (a microchip added to a paciente stored without it).
        microchips = {row.values["microchip"] for row in rows if row.values.get("microchip")}
        especies = {row.values["especie"] for row in rows if "especie" in row.values}
        by_name = {row.values["propietario_id"] for row in rows if not row.values.get("microchip")}
        chipless = {row.values["propietario_id"] for row in rows if row.values.get("microchip")} - by_name
        # One branch per index (an OR of the three is answered by scanning the table), the
        # microchips through the partial unique index, whose `microchip <> ''` is spelt out.
        branches = [
            Paciente.objects.filter(microchip__in=microchips).exclude(microchip=""),
            Paciente.objects.filter(propietario_id__in=by_name, especie__in=especies),
            Paciente.objects.filter(propietario_id__in=chipless, especie__in=especies, microchip=""),
        ]
        first, *others = (branch.order_by().values("pk") for branch in branches)
        weighed = pesos_medidos(OuterRef("pk"))
        peso_de_consulta = Value(False) if weighed is None else Exists(weighed)
        matches = Paciente.objects.filter(pk__in=first.union(*others, all=True))
        return matches.annotate(peso_de_consulta=peso_de_consulta)

    def check_update(self, row, instance, diff):
        # The rule of the API (services.check_peso_manual): a weight recorded by a consulta wins.
        # Whether one has comes annotated by existing(); a paciente created earlier in this
        # import has no consulta.
        if "peso_kg" in diff:
            try:
                check_peso_manual(
                    paciente=instance, peso_kg=diff["peso_kg"], medido=getattr(instance, "peso_de_consulta", False)
                )
            except ValidationError as exc:
                row.reject("peso_kg", exc.message_dict["peso_kg"][0])

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
