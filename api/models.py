from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` of one caller (api.idempotency): claimed by the first POST that
    carried it, then holding that POST's answer until `expires_at`.

    `caller` is a string ("user:<id>", "anon"), not a foreign key: the store sits below the apps
    whose users and integration keys it serves, and a key outlives nothing it points at.
    `status_code` is null while the first request is still running; `token` names the request
    holding the claim, so that a request whose claim was taken over (it ran past
    IDEMPOTENCY_LEASE) cannot record its answer, and rolls its write back.
    """

    caller = models.CharField(_("llamante"), max_length=64)
    key = models.CharField(_("clave"), max_length=255)
    fingerprint = models.CharField(_("huella de la petición"), max_length=64)
    method = models.CharField(_("método"), max_length=10)
    path = models.TextField(_("ruta"))
    token = models.UUIDField(_("reserva"))
    locked_at = models.DateTimeField(_("reservada en"))
    status_code = models.PositiveSmallIntegerField(_("código de la respuesta"), null=True, blank=True)
    response_headers = models.JSONField(_("cabeceras de la respuesta"), default=dict, blank=True)
    response_body = models.BinaryField(_("cuerpo de la respuesta"), default=b"", blank=True)
    created_at = models.DateTimeField(_("creada en"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completada en"), null=True, blank=True)
    expires_at = models.DateTimeField(_("caduca en"))

    class Meta:
        verbose_name = _("clave de idempotencia")
        verbose_name_plural = _("claves de idempotencia")
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="idempotencia_clave_unica_por_llamante")]
        indexes = [models.Index(fields=["expires_at"], name="idempotencia_caducidad_idx")]

    def __str__(self):
        return f"{self.caller} {self.key}"

    @property
    def in_progress(self):
        return self.status_code is None
