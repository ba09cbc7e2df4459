import datetime as dt

from kehu.api.schemas import Out


class DeliveryOut(Out):
    channel: str
    state: str
    attempts: int
    last_error: str
    sent_at: dt.datetime | None
    next_attempt_at: dt.datetime


class NotificationOut(Out):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    deliveries: list[DeliveryOut]


class NotificationPage(Out):
    items: list[NotificationOut]
    next: str | None
    count: int
    count_capped: bool


class UnreadOut(Out):
    count: int
    capped: bool


class ReadAllOut(Out):
    updated: int
