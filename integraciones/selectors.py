"""Reads of the integraciones app."""

from django.db.models import Q

from accounts.scoping import sedes_de_clave

from .filters import EventoFilterSet
from .models import Entrega, Evento, Integracion, Webhook


def evento_list(*, user, filters=None):
    """The feed. An integration key narrowed to sedes sees their events and those of no sede
    (clientes, pacientes: they belong to the whole organisation)."""
    queryset = Evento.objects.visible_to(user)
    sedes = sedes_de_clave(user)
    if sedes is not None:
        queryset = queryset.filter(Q(sede__in=sedes) | Q(sede__isnull=True))
    return EventoFilterSet(filters, queryset).qs if filters is not None else queryset


def webhook_list(*, user):
    queryset = Webhook.objects.visible_to(user)
    sedes = sedes_de_clave(user)
    if sedes is not None:
        queryset = queryset.filter(sede__in=sedes)
    return queryset


def entrega_list(*, webhook):
    return Entrega.objects.filter(webhook=webhook).order_by("-id")


def integracion_list(*, user):
    return Integracion.objects.visible_to(user).prefetch_related("sedes")
