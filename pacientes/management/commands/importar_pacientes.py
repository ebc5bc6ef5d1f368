from core.importing import ImportCommand
from pacientes.importers import PacienteImporter


class Command(ImportCommand):
    help = (
        "Importa pacientes desde un CSV (columnas documento_propietario*, nombre*, especie*, raza, sexo, "
        "fecha_nacimiento, color, microchip, esterilizado, peso_kg, alergias, notas). "
        "Clave: microchip o (propietario, nombre, especie)."
    )
    importer_class = PacienteImporter
