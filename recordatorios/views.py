from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors

from accounts.permissions import ALL_ROLES
from api.pagination import PageNumberPagination
from api.viewsets import ListViewSet

from .selectors import recordatorio_list
from .serializers import RecordatorioQuerySerializer, RecordatorioSerializer


@extend_validation_errors(["rango_invertido", "ventana_excesiva"], field_name="hasta", actions=["list"])
class RecordatorioViewSet(ListViewSet):
    """What owners should be reminded of: vaccine doses falling due and upcoming citas,
    ordered by fecha then tipo. Owners see their own."""

    serializer_class = RecordatorioSerializer
    action_roles = {"list": ALL_ROLES}
    filter_backends = []
    query_serializer_class = RecordatorioQuerySerializer
    # Page mode only: the rows are computed (a UNION of two kinds), with no id to keep a cursor on.
    pagination_class = PageNumberPagination

    def get_queryset(self):
        query = self.query_serializer_class(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return recordatorio_list(user=self.request.user, **query.validated_data)

    @extend_schema(summary="List reminders due", parameters=[RecordatorioQuerySerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
