"""The database cache (the fallback without Redis) is ready whatever cache `migrate` ran with."""

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.db import connection

pytestmark = pytest.mark.django_db


def test_migrate_creates_the_fallback_cache_table_even_when_another_cache_is_configured(settings):
    # Given the test database, migrated while CACHES named no database cache (locmem)
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")

    # Then the table of the fallback cache exists, and a database cache over it works
    assert "vetclinic_cache" in connection.introspection.table_names()
    fallback = DatabaseCache("vetclinic_cache", {})
    fallback.set("probe", 41)
    assert fallback.incr("probe") == 42
