from django.db import migrations

from kehu.customers.choices import DEFAULT_SOURCE_CHANNELS


def add_sources(apps, schema_editor):
    SourceChannel = apps.get_model("customers", "SourceChannel")
    for order, name in enumerate(DEFAULT_SOURCE_CHANNELS):
        SourceChannel.objects.get_or_create(name=name, defaults={"sort_order": order})


def remove_sources(apps, schema_editor):
    apps.get_model("customers", "SourceChannel").objects.filter(
        name__in=DEFAULT_SOURCE_CHANNELS
    ).delete()


def byte_order_terms(apps, schema_editor):
    """Search terms are matched by prefix range; on PostgreSQL that needs byte (C) ordering so
    the range and the index agree whatever the database's locale. SQLite already compares bytes."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE customers_searchterm ALTER COLUMN term TYPE varchar(120) COLLATE "C"'
        )


def locale_order_terms(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE customers_searchterm ALTER COLUMN term TYPE varchar(120) COLLATE "default"'
        )


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        migrations.RunPython(add_sources, remove_sources),
        migrations.RunPython(byte_order_terms, locale_order_terms),
    ]
