# Search terms carry their customer's owner, so a narrow data scope reads its own matches from
# an (owner, term) index. Hand-edited: the customer index is dropped with DROP INDEX rather
# than AlterField, which on SQLite would copy the whole table (19 million rows at a million
# customers), and before the owners are filled in, so the update does not maintain it; the new
# index is built after. At a million customers the update takes minutes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILL = {
    "postgresql": (
        "UPDATE customers_searchterm t SET owner_id = c.owner_id FROM customers_customer c"
        " WHERE c.id = t.customer_id AND c.owner_id IS NOT NULL"
    ),
    "sqlite": (
        "UPDATE customers_searchterm SET owner_id = (SELECT c.owner_id FROM customers_customer c"
        " WHERE c.id = customers_searchterm.customer_id)"
    ),
}


def fill_owners(apps, schema_editor):
    schema_editor.execute(FILL[schema_editor.connection.vendor])


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0005_owner_status_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='searchterm',
            name='owner',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='searchterm',
                    name='customer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS customers_searchterm_customer_id_14999edf",
                    "CREATE INDEX customers_searchterm_customer_id_14999edf"
                    " ON customers_searchterm (customer_id)",
                ),
            ],
        ),
        migrations.RunPython(fill_owners, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='searchterm',
            index=models.Index(fields=['owner', 'term', 'customer'], name='search_term_owner_idx'),
        ),
    ]
