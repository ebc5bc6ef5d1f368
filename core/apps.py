from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _sqlite_unicode_lower(sender, connection, **kwargs):
    """SQLite's built-in LOWER() folds ASCII letters only ("Í" stays "Í"); PostgreSQL's folds
    every letter. Replacing it keeps case-insensitive rules (a later dose of the same vaccine,
    unique e-mails and documentos) the same on both databases."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("LOWER", 1, _unicode_lower, deterministic=True)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Núcleo"

    def ready(self):
        connection_created.connect(_sqlite_unicode_lower, dispatch_uid="core.sqlite_unicode_lower")
