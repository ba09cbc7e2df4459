"""The unread count in every page's header, read only when the header is rendered."""

from django.utils.functional import SimpleLazyObject

from kehu.notify.selectors import unread_count


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: an htmx partial, which has no header, costs no query.
    return {"notify_unread": SimpleLazyObject(lambda: unread_count(user=user))}
