"""Every write of notifications, their deliveries, robots and channel preferences.

Other apps call one function, inside their own transaction:

    notify(recipients=[task.owner], kind="task_reminder", title="跟进提醒：…",
           body="…", url=task_url, key=f"followups.task:{task.pk}:reminder:{due}")

It writes the in-app notifications and one outbox row (Delivery) per further channel each
recipient chose; after the caller's transaction commits, the worker sends them (tasks.py).
`key` names the event: a second call with the same key adds nothing and sends nothing.
"""

import datetime as dt
import logging
import smtplib
import time
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Department, User
from kehu.audit.services import audit_record
from kehu.core.errors import PermissionDenied, ValidationFailed
from kehu.notify.choices import Channel, DeliveryState, RobotKind
from kehu.notify.models import ChannelPreference, Delivery, Notification, Robot
from kehu.notify.webhooks import WebhookError, check_url, parse_target, robot_send, text_content

log = logging.getLogger(__name__)

# A worker holds a claimed delivery this long; one that died is replaced after it.
CLAIM_DURATION = dt.timedelta(minutes=5)
# Failures wait 1, 2, 4, 8 … minutes before the next attempt.
RETRY_BASE = dt.timedelta(minutes=1)
# The sweep's batch: what a worker sends in one periodic run at most.
SWEEP_BATCH = 500


class DeliveryError(Exception):
    """A delivery did not go out; `permanent` when retrying cannot help."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def email_available() -> bool:
    """Mail goes out where a server is configured; in development the console shows it."""
    return settings.EMAIL_CONFIGURED or not settings.PRODUCTION


def _preferences(user_ids: list[int]) -> dict[int, ChannelPreference]:
    found = {p.user_id: p for p in ChannelPreference.objects.filter(user_id__in=user_ids)}
    return {pk: found.get(pk) or ChannelPreference(user_id=pk) for pk in user_ids}


def _channels(user: User, preference: ChannelPreference, robots: dict) -> list[tuple]:
    """(channel, robot) pairs the user wants besides the in-app centre."""
    chosen = []
    if preference.email and user.email and email_available():
        chosen.append((Channel.EMAIL, None))
    own = robots.get(("user", user.pk))
    if preference.robot and own is not None:
        chosen.append((Channel.ROBOT, own))
    team = robots.get(("department", user.department_id))
    if preference.team_robot and team is not None:
        chosen.append((Channel.TEAM_ROBOT, team))
    return chosen


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    key: str,
) -> list[Notification]:
    """Tell `recipients` (active users; others are skipped) about one event named by `key`.

    Writes, in the caller's transaction, a Notification per recipient and a Delivery per
    channel they chose; nothing for a recipient who already has a notification of this key.
    The worker sends the deliveries after commit. Returns the notifications this call made.
    """
    if not key or len(key) > 200 or not title:
        raise ValueError("notify() needs a key of 1–200 characters and a title")
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not users:
        return []
    told = set(
        Notification.objects.filter(key=key, recipient_id__in=list(users)).values_list(
            "recipient_id", flat=True
        )
    )
    users = {pk: u for pk, u in users.items() if pk not in told}
    if not users:
        return []
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind[:50],
                title=title[:200],
                body=body,
                url=url[:500],
                key=key,
                created_at=now,
            )
            for pk in users
        ],
        # A concurrent call with the same key may have told someone in between: the unique
        # (key, recipient) keeps theirs, and its deliveries are skipped the same way below.
        ignore_conflicts=True,
    )
    made = list(Notification.objects.filter(key=key, recipient_id__in=list(users)))
    preferences = _preferences(list(users))
    department_ids = {u.department_id for u in users.values() if u.department_id}
    robots = {}
    for robot in Robot.objects.filter(
        Q(user_id__in=list(users)) | Q(department_id__in=list(department_ids))
    ):
        owner = ("user", robot.user_id) if robot.user_id else ("department", robot.department_id)
        robots[owner] = robot
    deliveries = [
        Delivery(notification=n, channel=channel, robot=robot, next_attempt_at=now)
        for n in made
        for channel, robot in _channels(users[n.recipient_id], preferences[n.recipient_id], robots)
    ]
    if deliveries:
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        notification_ids = [n.pk for n in made]

        def enqueue():
            from kehu.notify.tasks import deliver

            deliver(notification_ids)

        # robust: a queue that cannot be reached must not turn the caller's committed write
        # into an error; the sweep sends what was not enqueued.
        transaction.on_commit(enqueue, robust=True)
    return made


# --- reading state --------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one of the user's notifications read (got through selectors.notification_get)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of `user` read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- sending (the worker) -------------------------------------------------------------------


def delivery_attempt(delivery_id: int, *, now: dt.datetime | None = None) -> str | None:
    """Claim one due delivery, send it and record the outcome; the state it ends in, or None
    when it was not this worker's to send (already sent or failed, claimed by another worker
    whose claim has not expired, or not due).

    The claim is one conditional UPDATE — WHERE state = pending AND the previous claim (if
    any) has expired — so of two workers only one gets the row, on SQLite and PostgreSQL
    alike; it runs outside any transaction so the claim is visible at once. Nothing is held
    open while sending. A sent row is never sent again: it is no longer pending.
    """
    now = now or timezone.now()
    deadline = now + CLAIM_DURATION
    claimed = (
        Delivery.objects.filter(
            pk=delivery_id,
            state=DeliveryState.PENDING,
            next_attempt_at__lte=now,
            attempts__lt=settings.KEHU_DELIVERY_MAX_ATTEMPTS,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=deadline, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("notification__recipient", "robot").get(
        pk=delivery_id
    )
    try:
        _send(delivery)
    except DeliveryError as exc:
        return _record_failure(delivery, deadline, exc, now)
    # Ours only while our claim stands: claimed_until is the claim's token.
    Delivery.objects.filter(
        pk=delivery_id, state=DeliveryState.PENDING, claimed_until=deadline
    ).update(state=DeliveryState.SENT, sent_at=timezone.now(), claimed_until=None, last_error="")
    return DeliveryState.SENT


def _record_failure(delivery: Delivery, deadline, exc: DeliveryError, now) -> str:
    if exc.permanent or delivery.attempts >= settings.KEHU_DELIVERY_MAX_ATTEMPTS:
        changes = {"state": DeliveryState.FAILED}
    else:
        changes = {"next_attempt_at": now + RETRY_BASE * 2 ** (delivery.attempts - 1)}
    Delivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.PENDING, claimed_until=deadline
    ).update(claimed_until=None, last_error=exc.reason[:500], **changes)
    log.warning("delivery %s (%s) failed: %s", delivery.pk, delivery.channel, exc.reason)
    return changes.get("state", DeliveryState.PENDING)


def absolute_url(url: str) -> str:
    """A link to open from a mail or a chat: the site's address before a path of Kehu."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{settings.KEHU_SITE_URL}{url}" if settings.KEHU_SITE_URL else ""


def _send(delivery: Delivery) -> None:
    notification = delivery.notification
    recipient = notification.recipient
    if not recipient.is_active:
        raise DeliveryError(_("接收人已停用"), permanent=True)
    link = absolute_url(notification.url)
    if delivery.channel == Channel.EMAIL:
        _send_email(delivery, notification, recipient, link)
        return
    robot = delivery.robot
    if robot is None:
        raise DeliveryError(_("机器人已删除"), permanent=True)
    team = delivery.channel == Channel.TEAM_ROBOT
    content = text_content(
        title=notification.title,
        body=notification.body,
        link=link,
        mention_name=str(recipient) if team else "",
    )
    try:
        robot_send(
            kind=robot.kind,
            url=robot.url,
            secret=robot.secret,
            content=content,
            mention_mobile=recipient.mobile if team else "",
            now_ms=int(time.time() * 1000),
        )
    except WebhookError as exc:
        raise DeliveryError(exc.reason, permanent=exc.permanent) from None


def _send_email(delivery: Delivery, notification: Notification, recipient: User, link: str):
    if not recipient.email:
        raise DeliveryError(_("接收人没有邮箱地址"), permanent=True)
    body = "\n\n".join(part for part in (notification.body, link) if part)
    message = EmailMessage(
        subject=notification.title,
        body=body or notification.title,
        to=[recipient.email],
        # The same id on a retry of the same delivery: a mail server or client that already
        # has it may drop the copy (a crash between sending and marking sent is the one
        # window in which a delivery can go out twice).
        headers={"Message-ID": f"<kehu-delivery-{delivery.pk}@{_mail_domain()}>"},
    )
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(_("邮件发送失败：%(error)s") % {"error": type(exc).__name__}) from None


def _mail_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "localhost"


def deliveries_sweep(*, now: dt.datetime | None = None) -> int:
    """Send what is due and not held by a live claim: deliveries whose first enqueue was lost,
    retries whose backoff has passed, and rows whose worker died (their claim expired).
    Rows whose attempts are used up by workers that died while sending are failed. Returns
    how many were attempted."""
    now = now or timezone.now()
    Delivery.objects.filter(
        state=DeliveryState.PENDING,
        attempts__gte=settings.KEHU_DELIVERY_MAX_ATTEMPTS,
        claimed_until__lt=now,
    ).update(state=DeliveryState.FAILED, claimed_until=None, last_error=_("发送过程多次中断"))
    due = list(
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    for delivery_id in due:
        delivery_attempt(delivery_id, now=now)
    return len(due)


# --- channels: preferences and robots --------------------------------------------------------


@transaction.atomic
def preference_update(
    *, user: User, email: bool, robot: bool, team_robot: bool, actor: User
) -> ChannelPreference:
    preference, _created = ChannelPreference.objects.select_for_update().get_or_create(user=user)
    before = {"email": preference.email, "robot": preference.robot, "team": preference.team_robot}
    preference.email, preference.robot, preference.team_robot = email, robot, team_robot
    preference.save()
    after = {"email": email, "robot": robot, "team": team_robot}
    if before != after:
        audit_record(
            actor=actor,
            action="notify.preference_update",
            target=user,
            data={"before": before, "after": after},
        )
    return preference


def _robot_errors(kind: str, url: str, secret: str) -> list[dict]:
    errors = []
    if kind not in RobotKind.values:
        errors.append({"field": "kind", "message": _("请选择企业微信或钉钉")})
    if not url:
        errors.append({"field": "url", "message": _("请填写 Webhook 地址")})
    elif len(url) > 500:
        errors.append(
            {"field": "url", "message": _("最多 %(max_length)s 个字符") % {"max_length": 500}}
        )
    else:
        try:
            check_url(url)
        except WebhookError as exc:
            errors.append({"field": "url", "message": exc.reason})
    if len(secret) > 200:
        errors.append(
            {"field": "secret", "message": _("最多 %(max_length)s 个字符") % {"max_length": 200}}
        )
    return errors


def can_manage_team_robot(user: User) -> bool:
    """Whether `user` may set the robot of their own department."""
    return bool(user.department_id) and user.has_perm("notify.manage_team_robot")


@transaction.atomic
def robot_save(
    *,
    actor: User,
    kind: str,
    url: str,
    secret: str,
    department: Department | None = None,
) -> Robot:
    """Set the actor's own robot, or with `department` their department's (which needs the
    manage_team_robot permission). The url is refused unless it is http(s) and every address
    its host resolves to is public (webhooks.check_url)."""
    if department is not None and not (
        can_manage_team_robot(actor) and actor.department_id == department.pk
    ):
        raise PermissionDenied(_("没有设置该部门群机器人的权限"))
    url, secret = url.strip(), secret.strip()
    errors = _robot_errors(kind, url, secret)
    if errors:
        raise ValidationFailed(errors[0]["message"], errors=errors)
    owner = {"department": department} if department is not None else {"user": actor}
    robot, created = Robot.objects.select_for_update().get_or_create(
        **owner, defaults={"kind": kind, "url": url, "secret": secret}
    )
    if not created:
        robot.kind, robot.url, robot.secret = kind, url, secret
        robot.save()
    audit_record(
        actor=actor,
        action="notify.robot_save",
        target=department if department is not None else actor,
        # Never the url's token or the secret: the host says which service it is.
        data={"kind": kind, "host": parse_target(url).host, "signed": bool(secret)},
    )
    return robot


@transaction.atomic
def robot_delete(*, robot: Robot, actor: User) -> None:
    if robot.department_id is not None and not (
        can_manage_team_robot(actor) and actor.department_id == robot.department_id
    ):
        raise PermissionDenied(_("没有设置该部门群机器人的权限"))
    if robot.user_id is not None and robot.user_id != actor.pk:
        raise PermissionDenied(_("只能删除自己的机器人"))
    target = robot.department if robot.department_id is not None else robot.user
    robot.delete()
    audit_record(actor=actor, action="notify.robot_delete", target=target, data={})


def notify_test(*, user: User) -> list[Notification]:
    """A test message through every channel the user chose, to check their settings."""
    return notify(
        recipients=[user],
        kind="test",
        title=_("测试通知"),
        body=_("收到这条消息，说明通知渠道设置可用。"),
        url=reverse("notify:list"),
        key=f"notify.test:{user.pk}:{uuid.uuid4().hex}",
    )
