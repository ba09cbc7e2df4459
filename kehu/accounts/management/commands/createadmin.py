import os
import secrets

from django.core.management.base import BaseCommand, CommandError

from kehu.accounts.choices import RoleCode
from kehu.accounts.models import Role, User
from kehu.accounts.services import user_create
from kehu.core.errors import ValidationFailed


class Command(BaseCommand):
    help = (
        "Create the first administrator once. Uses KEHU_ADMIN_USER/KEHU_ADMIN_PASSWORD, "
        "otherwise 'admin' with a random password printed once."
    )

    def handle(self, *args, **options):
        username = os.environ.get("KEHU_ADMIN_USER") or "admin"
        password = os.environ.get("KEHU_ADMIN_PASSWORD")
        if User.objects.filter(is_active=True, groups__role__code=RoleCode.ADMIN).exists():
            self.stdout.write("An administrator already exists; nothing to do.")
            return
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        try:
            user_create(
                username=username,
                password=password,
                actor=None,
                display_name="管理员",
                roles=list(Role.objects.filter(code=RoleCode.ADMIN)),
            )
        except ValidationFailed as exc:
            raise CommandError(f"KEHU_ADMIN_PASSWORD / KEHU_ADMIN_USER: {exc.detail}") from None
        if generated:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Administrator created — username: {username}  password: {password}\n"
                    "This password is shown only now; change it after signing in."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Administrator {username} created."))
