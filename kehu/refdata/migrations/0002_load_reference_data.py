"""Load the administrative divisions and the GB/T 4754-2017 industries from data/*.csv."""

from django.db import migrations

from kehu.refdata import loaders


def load(apps, schema_editor):
    loaders.regions_load(apps.get_model("refdata", "Region"))
    loaders.industries_load(apps.get_model("refdata", "Industry"))


def unload(apps, schema_editor):
    loaders.regions_unload(apps.get_model("refdata", "Region"))
    loaders.industries_unload(apps.get_model("refdata", "Industry"))


class Migration(migrations.Migration):
    dependencies = [("refdata", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
