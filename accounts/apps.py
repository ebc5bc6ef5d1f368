from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(sender, **kwargs):
    """After every `migrate`, the staff groups get exactly the permissions of the role table
    (accounts.roles): a change to the table, or a new model's permissions, reaches every
    database without a migration of its own. Idempotent and a handful of queries."""
    from django.contrib.auth.models import Group, Permission

    from .roles import sync_role_groups

    sync_role_groups(group_model=Group, permission_model=Permission)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Cuentas")

    def ready(self):
        post_migrate.connect(_sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        from . import schema  # noqa: F401  (registers the OpenAPI extensions)
