"""Housekeeping that every install runs on the worker."""

import time

from huey import crontab
from huey.constants import EmptyData
from huey.contrib.djhuey import HUEY, db_periodic_task

HEARTBEAT_KEY = "kehu:worker-heartbeat"


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat():
    """Lets /healthz tell whether a worker is consuming the queue."""
    HUEY.storage.put_data(HEARTBEAT_KEY, str(time.time()).encode())


def last_heartbeat_age() -> float | None:
    raw = HUEY.storage.peek_data(HEARTBEAT_KEY)
    if raw is EmptyData:
        return None
    try:
        return time.time() - float(raw)
    except (TypeError, ValueError):
        return None
