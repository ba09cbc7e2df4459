"""The customers' daily counters move here from customers.CustomerNumberSequence (which the
next customers migration drops), so numbering continues where it was."""

from django.db import migrations

BATCH = 5_000


def copy_counters(apps, schema_editor):
    Old = apps.get_model("customers", "CustomerNumberSequence")
    New = apps.get_model("numbering", "NumberSequence")
    rows = [New(kind="customers", period=o.day, last=o.last) for o in Old.objects.iterator()]
    New.objects.bulk_create(rows, batch_size=BATCH)


def copy_back(apps, schema_editor):
    Old = apps.get_model("customers", "CustomerNumberSequence")
    New = apps.get_model("numbering", "NumberSequence")
    rows = [Old(day=n.period, last=n.last) for n in New.objects.filter(kind="customers")]
    Old.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("numbering", "0001_initial"),
        ("customers", "0008_pending_indexes"),
    ]

    operations = [migrations.RunPython(copy_counters, copy_back)]
