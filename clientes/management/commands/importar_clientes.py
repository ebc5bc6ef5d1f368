from clientes.importers import ClienteImporter
from core.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Importa clientes desde un CSV (columnas documento*, nombre*, apellidos*, telefono*, email, "
        "movil, direccion, ciudad, notas, acepta_email, acepta_sms, acepta_whatsapp, canal_preferido). "
        "Clave: documento."
    )
    importer_class = ClienteImporter
