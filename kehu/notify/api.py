"""/api/v1/notifications: the caller's own notifications. Anyone else's is 404."""

from ninja import Router

from kehu.api.schemas import ErrorOut
from kehu.notify import selectors, services
from kehu.notify.schemas import NotificationOut, NotificationPage, ReadAllOut, UnreadOut

router = Router(tags=["notifications"])


def _item(row: dict, deliveries: list[dict]) -> dict:
    return {**row, "deliveries": deliveries}


@router.get("", response={200: NotificationPage, 422: ErrorOut})
def notification_list(
    request, unread: bool = False, cursor: str | None = None, limit: int | None = None
):
    """Newest first; `unread=true` lists only those not read yet."""
    page = selectors.notification_list(user=request.auth, unread=unread, cursor=cursor, limit=limit)
    deliveries = selectors.deliveries_by_notification([row["id"] for row in page.items])
    return {
        "items": [_item(row, deliveries[row["id"]]) for row in page.items],
        "next": page.next,
        "count": page.count,
        "count_capped": page.count_capped,
    }


@router.get("/unread-count", response=UnreadOut)
def unread_count(request):
    """Counted up to 99; past that `capped` is true (shown as "99+")."""
    unread = selectors.unread_count(user=request.auth)
    return {"count": unread.count, "capped": unread.capped}


@router.post("/read-all", response=ReadAllOut)
def mark_all_read(request):
    return {"updated": services.notification_mark_all_read(user=request.auth)}


def _detail(notification) -> dict:
    row = {field: getattr(notification, field) for field in selectors.LIST_COLUMNS}
    return _item(row, selectors.deliveries_by_notification([notification.pk])[notification.pk])


@router.get("/{notification_id}", response={200: NotificationOut, 404: ErrorOut})
def notification_detail(request, notification_id: int):
    return _detail(selectors.notification_get(user=request.auth, notification_id=notification_id))


@router.post("/{notification_id}/read", response={200: NotificationOut, 404: ErrorOut})
def mark_read(request, notification_id: int):
    notification = selectors.notification_get(user=request.auth, notification_id=notification_id)
    return _detail(services.notification_mark_read(notification=notification))
