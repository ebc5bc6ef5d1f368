from django.core.management import call_command
from django.db import migrations

# The LOCATION of the database cache in settings (the fallback when REDIS_URL is unset).
FALLBACK_CACHE_TABLE = "vetclinic_cache"


def create_fallback_cache_table(apps, schema_editor):
    # 0001 created the table only for the caches configured when it ran: a database migrated
    # with REDIS_URL set had none, and broke the day it ran without Redis. Naming the table
    # creates it whatever CACHES says (an existing table is left as it is).
    call_command("createcachetable", FALLBACK_CACHE_TABLE, database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_cache_table")]
    operations = [migrations.RunPython(create_fallback_cache_table, migrations.RunPython.noop)]
