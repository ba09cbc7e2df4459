import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from kehu.accounts.models import Department


class Command(BaseCommand):
    help = "Load demo data: each app with a demo.py contributes, in INSTALLED_APPS order."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already holds an organisation",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="give the demo people new passwords and print them (nothing else)",
        )

    def handle(self, *args, **options):
        if options["reset_passwords"]:
            from kehu.accounts.demo import reset_passwords

            with transaction.atomic():
                reset_passwords(self.stdout)
            return
        if options["if_empty"] and Department.objects.exists():
            self.stdout.write("Data already present; demo data not loaded.")
            return
        with transaction.atomic():
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if config.name.startswith("kehu.") and importlib.util.find_spec(module_name):
                    importlib.import_module(module_name).load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
