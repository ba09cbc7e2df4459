"""The worker's side of notifications: send after commit, and sweep what is left."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kehu.notify.choices import DeliveryState
from kehu.notify.models import Delivery
from kehu.notify.services import deliveries_sweep, delivery_attempt


@db_task()
def deliver(notification_ids: list[int]) -> None:
    """Send the deliveries of notifications just committed (services.notify enqueues this)."""
    pending = Delivery.objects.filter(
        notification_id__in=notification_ids, state=DeliveryState.PENDING
    ).values_list("id", flat=True)
    for delivery_id in list(pending):
        delivery_attempt(delivery_id)


@db_periodic_task(crontab(minute="*"))
def deliveries_due() -> None:
    """Every minute: retries whose wait is over, enqueues that were lost, claims that expired
    with the worker that held them."""
    deliveries_sweep()
