from api.serializers import ModelSerializer

from .models import Sede
from .services import EDITABLE_FIELDS


class SedeSerializer(ModelSerializer):
    """A clinic of the organisation, with the IANA zone its local times are read in."""

    class Meta:
        model = Sede
        fields = ["id", *EDITABLE_FIELDS, "creado_en", "actualizado_en"]
        read_only_fields = ["id", "creado_en", "actualizado_en"]
