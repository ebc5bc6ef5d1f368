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

Where what a caller writes differs from what the API answers (HackSoft's input/output split),
a viewset names the input serializers, `create_serializer_class` and `update_serializer_class`
(or overrides `get_create_serializer_class()` / `get_update_serializer_class()` to choose by
role): they validate the body, and `serializer_class` shapes every answer. The OpenAPI schema
documents the request bodies from them (api.schema.AutoSchema).

The base enforces the role table (RolePermission, and an `Allow` header to match), and after
every write reads the object again through `get_queryset()`, so a POST/PUT/PATCH answers
exactly what a GET of that object would show (annotations, joined names, the caller's scope).
The write and that read run in one transaction (`written`): a write that would leave its object
out of the caller's sight (a service that missed a scope check) is undone and answered 403,
never committed behind a 500.

Every viewset also gets, from the mixins of the base, conditional requests on its detail routes
(ETag / If-None-Match / If-Match, api.conditional) and Idempotency-Key on its POSTs
(api.idempotency), for every action, the ones a viewset adds included.

A list answers 400 `unknown_parameter` for a query parameter it does not define
(api.query_parameters), and so does every action that paginates its answer; a list with
query parameters of its own beyond its filters declares them once, as `query_serializer_class`.
"""

import random
import time

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response

from core.exceptions import OPERACION_CONCURRENTE, Conflict

from .conditional import ConditionalRequestMixin
from .idempotency import IdempotencyMixin
from .permissions import RoleAllowedMethodsMixin, RolePermission
from .query_parameters import list_parameters, reject_unknown_parameters

# How many times `ModelViewSet.written` runs a write that lost a deadlock.
WRITE_ATTEMPTS = 3


class ScopedViewSetMixin(IdempotencyMixin, ConditionalRequestMixin, RoleAllowedMethodsMixin):
    permission_classes = [RolePermission]
    selector = None  # staticmethod(<app>.selectors.<entity>_list)
    query_serializer_class = None  # a list's own query parameters, beyond its filters

    def get_queryset(self):
        return self.selector(user=self.request.user)

    def list(self, request, *args, **kwargs):
        reject_unknown_parameters(request, list_parameters(self, request))
        return super().list(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        # Every paginated answer is a list, the actions a viewset adds (`entregas`) included:
        # their parameters are as strict as the list's.
        reject_unknown_parameters(self.request, list_parameters(self, self.request))
        return super().paginate_queryset(queryset)


class ModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    create_serializer_class = None  # the body of a POST, when it differs from serializer_class
    update_serializer_class = None  # the body of a PUT/PATCH, when it differs from serializer_class

    def get_create_serializer_class(self):
        return self.create_serializer_class or self.get_serializer_class()

    def get_update_serializer_class(self):
        return self.update_serializer_class or self.get_serializer_class()

    def get_input_serializer_class(self):
        """The serializer that validates the body of this action (the schema asks too)."""
        if self.action == "create":
            return self.get_create_serializer_class()
        if self.action in {"update", "partial_update"}:
            return self.get_update_serializer_class()
        return self.get_serializer_class()

    def get_input_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        return self.get_input_serializer_class()(*args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.written(lambda: self.create_object(serializer.validated_data))
        data = self.get_serializer(instance).data
        return Response(data, status=status.HTTP_201_CREATED, headers=self.get_success_headers(data))

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_input_serializer(instance, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)

        def write():
            written = self.update_object(instance, serializer.validated_data)
            return written if written is not None else instance

        return Response(self.get_serializer(self.written(write)).data)

    def create_object(self, data):
        raise NotImplementedError

    def update_object(self, instance, data):
        raise NotImplementedError

    def delete_object(self, instance):
        raise NotImplementedError

    def reread(self, obj):
        """`obj` as a GET shows it to the caller; 403 when the caller may not see it (call it
        inside the write's transaction, as `written` does, so that the 403 undoes the write)."""
        try:
            return self.get_queryset().get(pk=obj.pk)
        except ObjectDoesNotExist:
            raise exceptions.PermissionDenied(
                _("La operación dejaría el objeto fuera de lo que puede ver; no se ha guardado nada.")
            ) from None

    def written(self, write, *, attempts=WRITE_ATTEMPTS):
        """Runs `write` (a call of a service, returning the object written) and `reread`s its
        object in one transaction. The services' own deadlock retries (core.services.
        retry_on_deadlock) do not run inside it, so the whole transaction is run again here, up
        to `attempts` times, before its 409 is answered."""
        attempt = 1
        while True:
            try:
                with transaction.atomic():
                    return self.reread(write())
            except Conflict as exc:
                if (
                    exc.code != OPERACION_CONCURRENTE
                    or attempt >= attempts
                    or transaction.get_connection().in_atomic_block
                ):
                    raise
                time.sleep(random.uniform(0, 0.05 * attempt))
                attempt += 1

    def perform_destroy(self, instance):
        self.delete_object(instance)


class ListViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A read-only list (no detail, no writes)."""
