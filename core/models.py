from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    creado_en = models.DateTimeField(_("creado en"), auto_now_add=True)
    actualizado_en = models.DateTimeField(_("actualizado en"), auto_now=True)

    class Meta:
        abstract = True
