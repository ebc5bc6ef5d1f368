from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The DRF plumbing. An app (not only a package) because the Idempotency-Key store is a table:
    it keeps HTTP answers, which belong to the HTTP layer, not to core's neutral pieces."""

    name = "api"
    verbose_name = _("API")
