"""`importar_vacunas`: applied vaccines from a CSV."""

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from clientes.models import Cliente
from core.importing import Column, ModelImporter, UnusableFile, fold, parse_date
from pacientes.models import Paciente

from .models import Vacuna


class VacunaImporter(ModelImporter):
    """`importar_vacunas`: applied vaccines, keyed by (paciente, vacuna case-insensitive, fecha_aplicacion).

    The paciente is found by `microchip`, or by `documento_propietario` + `paciente`
    (its name, case-insensitive) when the animal has no microchip.
    """

    model = Vacuna
    eventos = ("vacuna.creada", "vacuna.actualizada")
    columns = (
        Column("microchip"),
        Column("documento_propietario"),
        Column("paciente"),
        Column("vacuna", required=True, blank=False),
        Column("fecha_aplicacion", parse_date, required=True, blank=False),
        Column("proxima_dosis", parse_date),
        Column("lote"),
        Column("notas"),
    )
    # The paciente is resolved once per batch; imported doses have no applying user.
    clean_exclude = ("paciente", "veterinario")
    reads = (Paciente, Cliente)
    key_fields = ("nombre",)

    @classmethod
    def check_header(cls, header):
        names = super().check_header(header)
        if "microchip" not in names and not {"documento_propietario", "paciente"} <= set(names):
            raise UnusableFile(_("línea 1: falta la columna microchip o las columnas documento_propietario y paciente"))
        return names

    def prepare(self, rows):
        microchips = {row.values["microchip"] for row in rows if row.values.get("microchip")}
        by_owner = [row for row in rows if not row.values.get("microchip")]
        documentos = {row.values.get("documento_propietario", "").lower() for row in by_owner}
        pacientes = Paciente.objects.annotate(documento_lower=Lower("propietario__documento")).filter(
            Q(microchip__in=microchips) | Q(documento_lower__in=documentos - {""})
        )
        by_chip, by_name = {}, {}
        for pk, microchip, nombre, documento in pacientes.values_list(
            "pk", "microchip", "nombre", "propietario__documento"
        ):
            if microchip:
                by_chip[microchip] = pk
            by_name.setdefault((fold(documento or ""), fold(nombre)), []).append(pk)
        for row in rows:
            values = row.values
            if values.get("microchip"):
                pk = by_chip.get(values["microchip"])
                if pk is None:
                    row.reject(
                        "microchip",
                        _("no existe un paciente con microchip %(microchip)s") % {"microchip": values["microchip"]},
                    )
                    continue
            else:
                missing = [name for name in ("documento_propietario", "paciente") if name not in values]
                for name in missing:
                    row.reject(name, _("Este campo es obligatorio para identificar un paciente sin microchip."))
                if missing:
                    continue
                matches = by_name.get((fold(values["documento_propietario"]), fold(values["paciente"])), [])
                if len(matches) != 1:
                    message = (
                        _("el cliente %(documento)s no tiene ningún paciente llamado «%(nombre)s»")
                        if not matches
                        else _("el cliente %(documento)s tiene varios pacientes «%(nombre)s»; indique el microchip")
                    )
                    names = {"documento": values["documento_propietario"], "nombre": values["paciente"]}
                    row.reject("paciente", message % names)
                    continue
                pk = matches[0]
            values["paciente_id"] = pk

    def model_values(self, row):
        values = super().model_values(row)
        values["nombre"] = row.values["vacuna"]
        return values

    def existing(self, rows):
        return Vacuna.objects.filter(
            paciente_id__in={row.values["paciente_id"] for row in rows},
            fecha_aplicacion__in={row.values["fecha_aplicacion"] for row in rows},
        )

    def lookup_keys(self, row):
        values = row.values
        return [(values["paciente_id"], fold(values["vacuna"]), values["fecha_aplicacion"])]

    def instance_keys(self, instance):
        return [(instance.paciente_id, fold(instance.nombre), instance.fecha_aplicacion)]
