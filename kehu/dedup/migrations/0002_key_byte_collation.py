from django.db import migrations


def byte_order(apps, schema_editor):
    """Name-core blocks are read by prefix range; on PostgreSQL that needs byte (C) ordering so
    the range and the index agree whatever the database's locale. SQLite already compares bytes."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE dedup_dedupkey ALTER COLUMN value TYPE varchar(200) COLLATE "C"'
        )


def locale_order(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE dedup_dedupkey ALTER COLUMN value TYPE varchar(200) COLLATE "default"'
        )


class Migration(migrations.Migration):
    dependencies = [("dedup", "0001_initial")]

    operations = [migrations.RunPython(byte_order, locale_order)]
