"""`importar_clientes`: clientes from a CSV, keyed by `documento` (case-insensitive)."""

from core.importing import Column, ModelImporter, choice_parser, fold, parse_bool
from core.phones import normalize_phone

from .models import CanalPreferido, Cliente
from .selectors import clientes_por_documento


def documento_key(documento: str):
    return ("documento", fold(documento))


class ClienteImporter(ModelImporter):
    model = Cliente
    eventos = ("cliente.creado", "cliente.actualizado")
    key_fields = ("documento",)
    columns = (
        Column("documento", required=True, blank=False),
        Column("nombre", required=True),
        Column("apellidos", required=True),
        # Phones as the API and the admin store them (clientes.services.normalized), so a row
        # with the same number written differently is "sin cambios".
        Column("telefono", parse=normalize_phone, required=True),
        Column("movil", parse=normalize_phone),
        Column("email"),
        Column("direccion"),
        Column("ciudad"),
        Column("notas"),
        Column("acepta_email", parse=parse_bool),
        Column("acepta_sms", parse=parse_bool),
        Column("acepta_whatsapp", parse=parse_bool),
        Column("canal_preferido", parse=choice_parser(CanalPreferido.choices)),
    )

    def existing(self, rows):
        documentos = {row.values["documento"].lower() for row in rows}
        return clientes_por_documento(documentos)

    def lookup_keys(self, row):
        return [documento_key(row.values["documento"])]

    def instance_keys(self, instance):
        return [documento_key(instance.documento)] if instance.documento else []
