from django.db import migrations


def superusers_to_administrators(apps, schema_editor):
    """Whoever was a superuser keeps their powers as a holder of the administrator role."""
    User = apps.get_model("accounts", "User")
    Role = apps.get_model("accounts", "Role")
    superusers = list(User.objects.filter(is_superuser=True))
    if not superusers:
        return
    # Default roles are made after migrate (accounts.roles); an install with a superuser but no
    # administrator role yet gets it now, and its permissions then.
    admin_role, _created = Role.objects.get_or_create(
        code="admin", defaults={"name": "管理员", "data_scope": "all"}
    )
    for user in superusers:
        user.groups.add(admin_role)
    User.objects.filter(is_superuser=True).update(is_superuser=False, is_staff=True)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_access_version"),
    ]

    operations = [
        migrations.RunPython(superusers_to_administrators, migrations.RunPython.noop),
    ]
