"""Sign-in and permission checks: Django's ModelBackend, with the user's access read once per
change instead of once per request (kehu.accounts.access)."""

from django.contrib.auth.backends import ModelBackend

from kehu.accounts.access import access_for, current_version_sql
from kehu.accounts.models import User

# Every page request runs this query: written by hand, as the API token's (services.TOKEN_SQL).
SESSION_USER_SQL = (
    f"SELECT u.*, {current_version_sql()} AS access_version"
    f" FROM {User._meta.db_table} u WHERE u.id = %s"
)


class AccessBackend(ModelBackend):
    def get_user(self, user_id):
        """The session's user, with the access version read in the same query."""
        user = next(iter(User.objects.raw(SESSION_USER_SQL, [user_id])), None)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return access_for(user_obj).permissions
