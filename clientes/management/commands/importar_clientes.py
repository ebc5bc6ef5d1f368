from clientes.importers import ClienteImporter
from core.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Importa clientes desde un CSV (columnas documento*, nombre*, apellidos*, telefono*, email, "
        "direccion, ciudad, notas). Clave: documento."
    )
    importer_class = ClienteImporter
