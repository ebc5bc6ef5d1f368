"""The base of every viewset: what each one would otherwise repeat.

A viewset declares its role table (`action_roles`), its `selector` (the app's scoped read,
called as `selector(user=request.user)`), serializer and filters, and says which service does
each write in three hooks:

    class CitaViewSet(ModelViewSet):
        selector = staticmethod(cita_list)
        ...
        def create_object(self, data):
            return services.cita_create(actor=self.request.user, **data)

        def update_object(self, cita, data):
            return services.cita_update(actor=self.request.user, cita=cita, data=data)

        def delete_object(self, cita):
            services.cita_delete(actor=self.request.user, cita=cita)

The base enforces the role table (RolePermission, and an `Allow` header to match), and after
every write reads the object again through `get_queryset()`, so a POST/PUT/PATCH answers
exactly what a GET of that object would show (annotations, joined names, the caller's scope).

A list answers 400 `unknown_parameter` for a query parameter it does not define
(api.query_parameters); a list with query parameters of its own beyond its filters declares
them once, as `query_serializer_class`.
"""

from rest_framework import mixins, viewsets

from .permissions import RoleAllowedMethodsMixin, RolePermission
from .query_parameters import list_parameters, reject_unknown_parameters


class ScopedViewSetMixin(RoleAllowedMethodsMixin):
    permission_classes = [RolePermission]
    selector = None  # staticmethod(<app>.selectors.<entity>_list)
    query_serializer_class = None  # a list's own query parameters, beyond its filters

    def get_queryset(self):
        return self.selector(user=self.request.user)

    def list(self, request, *args, **kwargs):
        reject_unknown_parameters(request, list_parameters(self, request))
        return super().list(request, *args, **kwargs)


class ModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    def create_object(self, data):
        raise NotImplementedError

    def update_object(self, instance, data):
        raise NotImplementedError

    def delete_object(self, instance):
        raise NotImplementedError

    def reread(self, obj):
        return self.get_queryset().get(pk=obj.pk)

    def perform_create(self, serializer):
        serializer.instance = self.reread(self.create_object(serializer.validated_data))

    def perform_update(self, serializer):
        written = self.update_object(serializer.instance, serializer.validated_data)
        serializer.instance = self.reread(written if written is not None else serializer.instance)

    def perform_destroy(self, instance):
        self.delete_object(instance)


class ListViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A read-only list (no detail, no writes)."""
