from core.filters import FilterSet

from .models import Paciente


class PacienteFilterSet(FilterSet):
    class Meta:
        model = Paciente
        fields = ["especie", "sexo", "propietario", "fallecido", "activo"]
