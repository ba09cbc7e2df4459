from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0004: PostgreSQL does not alter a table in the transaction that has just
    written rows pointing at it (pending trigger events)."""

    dependencies = [
        ("accounts", "0004_superusers_to_administrators"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("is_superuser", False)),
                name="user_roles_alone_decide",
                violation_error_message="权限由角色决定：请给用户分配管理员角色",
            ),
        ),
    ]
