from core.importing import ImportCommand
from historial.importers import VacunaImporter


class Command(ImportCommand):
    help = (
        "Importa vacunas aplicadas desde un CSV (columnas microchip o documento_propietario + paciente, "
        "vacuna*, fecha_aplicacion*, proxima_dosis, lote, notas). Clave: (paciente, vacuna, fecha_aplicacion)."
    )
    importer_class = VacunaImporter
