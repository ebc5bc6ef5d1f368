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

Every viewset also gets, from the mixins of the base, conditional requests on its detail routes
(ETag / If-None-Match / If-Match, api.conditional) and Idempotency-Key on its POSTs
(api.idempotency), for every action, the ones a viewset adds included.
"""

from rest_framework import mixins, viewsets

from .conditional import ConditionalRequestMixin
from .idempotency import IdempotencyMixin
from .permissions import RoleAllowedMethodsMixin, RolePermission


class ScopedViewSetMixin(IdempotencyMixin, ConditionalRequestMixin, RoleAllowedMethodsMixin):
    permission_classes = [RolePermission]
    selector = None  # staticmethod(<app>.selectors.<entity>_list)

    def get_queryset(self):
        return self.selector(user=self.request.user)


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
