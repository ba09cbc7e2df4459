from django.db import migrations


def finer_statistics(apps, schema_editor):
    """Search reads prefix ranges of `term`; with the default 100-bucket histogram over tens of
    millions of terms PostgreSQL guesses a range holds one row when it holds twenty thousand,
    and picks plans for one row. A finer histogram keeps its guesses near the truth."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE customers_searchterm ALTER COLUMN term SET STATISTICS 1000")
        schema_editor.execute("ANALYZE customers_searchterm")


def default_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE customers_searchterm ALTER COLUMN term SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_saved_view")]

    operations = [migrations.RunPython(finer_statistics, default_statistics)]
