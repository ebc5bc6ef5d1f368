"""`importar_clientes`: clientes from a CSV, keyed by `documento` (case-insensitive)."""

from core.importing import Column, ModelImporter, fold

from .models import Cliente
from .selectors import clientes_por_documento


def documento_key(documento: str):
    return ("documento", fold(documento))


class ClienteImporter(ModelImporter):
    model = Cliente
    key_fields = ("documento",)
    columns = (
        Column("documento", required=True, blank=False),
        Column("nombre", required=True),
        Column("apellidos", required=True),
        Column("telefono", required=True),
        Column("email"),
        Column("direccion"),
        Column("ciudad"),
        Column("notas"),
    )

    def existing(self, rows):
        documentos = {row.values["documento"].lower() for row in rows}
        return clientes_por_documento(documentos)

    def lookup_keys(self, row):
        return [documento_key(row.values["documento"])]

    def instance_keys(self, instance):
        return [documento_key(instance.documento)] if instance.documento else []
