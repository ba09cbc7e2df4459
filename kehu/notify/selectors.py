"""Reads of notifications for a user: their own only (anyone else's is NotFound, 404)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from kehu.accounts.models import Department, User
from kehu.core.errors import NotFound
from kehu.core.pagination import Page, keyset_page
from kehu.notify.models import ChannelPreference, Delivery, Notification, Robot

LIST_KEYS = ["-created_at", "-id"]
LIST_COLUMNS = ["id", "kind", "title", "body", "url", "created_at", "read_at"]
# The header shows "99+" past this: the count reads at most this many index entries.
UNREAD_CAP = 99


def notifications_for(user) -> QuerySet[Notification]:
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk)


def notification_list(
    *, user, unread: bool = False, cursor: str | None = None, limit: int | None = None
) -> Page:
    """The user's notifications, newest first, as dicts of LIST_COLUMNS."""
    qs = notifications_for(user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return keyset_page(qs.values(*LIST_COLUMNS), keys=LIST_KEYS, cursor=cursor, limit=limit)


def notification_get(*, user, notification_id: int) -> Notification:
    try:
        return notifications_for(user).get(pk=notification_id)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise NotFound("通知不存在") from None


@dataclass(frozen=True)
class Unread:
    count: int
    capped: bool

    def __str__(self):
        return f"{self.count}+" if self.capped else str(self.count)


def unread_count(*, user) -> Unread:
    """How many notifications the user has not read, up to UNREAD_CAP: one range of the
    partial index notification_unread_idx."""
    n = notifications_for(user).filter(read_at__isnull=True).order_by()[: UNREAD_CAP + 1].count()
    return Unread(min(n, UNREAD_CAP), n > UNREAD_CAP)


DELIVERY_COLUMNS = ["channel", "state", "attempts", "last_error", "sent_at", "next_attempt_at"]


def deliveries_by_notification(notification_ids: list[int]) -> dict[int, list[dict]]:
    """The delivery state of each notification's channels (for the user's own list)."""
    found: dict[int, list[dict]] = {pk: [] for pk in notification_ids}
    rows = Delivery.objects.filter(notification_id__in=notification_ids).order_by("id")
    for row in rows.values("notification_id", *DELIVERY_COLUMNS):
        found[row.pop("notification_id")].append(row)
    return found


def deliveries_by_key(*, keys: list[str]) -> dict[str, list[dict]]:
    """How the notifications of these event keys went out, per recipient and channel:
    {key: [{"recipient_id", "channel", "state", "attempts", "last_error", "sent_at",
    "next_attempt_at"}]}. For an app to show on its record (a task's reminder) what reached
    whom and what failed and why; the caller has already checked the user may see the record
    the keys belong to."""
    found: dict[str, list[dict]] = {key: [] for key in keys}
    rows = Delivery.objects.filter(notification__key__in=keys).order_by("id")
    for row in rows.values("notification__key", "notification__recipient_id", *DELIVERY_COLUMNS):
        key = row.pop("notification__key")
        row["recipient_id"] = row.pop("notification__recipient_id")
        found[key].append(row)
    return found


def preference_get(*, user: User) -> ChannelPreference:
    """The user's channel preferences (the defaults when they never changed them)."""
    return ChannelPreference.objects.filter(user=user).first() or ChannelPreference(user=user)


def robot_of_user(*, user: User) -> Robot | None:
    return Robot.objects.filter(user=user).first()


def robot_of_department(*, department: Department | None) -> Robot | None:
    if department is None:
        return None
    return Robot.objects.filter(department=department).first()
