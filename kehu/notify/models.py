from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.models import TimeStampedModel
from kehu.notify.choices import Channel, DeliveryState, RobotKind


class Notification(models.Model):
    """One message to one person, shown in their notification centre (通知).

    Written only by services.notify, which also writes the Delivery rows of the other channels
    in the same transaction. `key` names the event ("followups.task:12:reminder"): one
    notification per (key, recipient), so an event told twice is told once.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # notification_recipient_idx leads with the recipient
    )
    kind = models.CharField(_("类型"), max_length=50)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    key = models.CharField(_("事件键"), max_length=200)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Led by the key: delivery states are looked up by the keys their callers used.
            models.UniqueConstraint(fields=["key", "recipient"], name="notification_unique_key"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list_idx"),
            # The unread count in every page's header and the 未读 list read only these rows.
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self):
        return self.title


class Delivery(models.Model):
    """The outbox: one row per notification and channel, sent by the worker exactly once.

    A worker claims a pending row by setting `claimed_until` with a conditional UPDATE
    (services.delivery_attempt), sends, and marks it sent; a claim left by a worker that died
    expires and the periodic sweep hands the row to another. Failures wait `next_attempt_at`
    (exponential backoff) and after DELIVERY_MAX_ATTEMPTS the row is failed with its reason.
    """

    notification = models.ForeignKey(
        Notification, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    # The robot chosen when the notification was made (None for email); a robot deleted since
    # fails the delivery with that reason rather than sending somewhere else.
    robot = models.ForeignKey(
        "notify.Robot",
        verbose_name=_("机器人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    claimed_until = models.DateTimeField(_("领取到期"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.CharField(_("失败原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知投递")
        verbose_name_plural = _("通知投递")
        ordering = ["id"]
        constraints = [
            # With the notification's (key, recipient): unique on (key, recipient, channel).
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_unique_channel"
            ),
        ]
        indexes = [
            # The sweep reads only what is still to send, due first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(state="pending"),
                name="delivery_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.notification_id}:{self.channel}"


class Robot(TimeStampedModel):
    """A group-chat robot webhook (企业微信 or 钉钉 群机器人) of one person or one department.

    The url carries the robot's access token and `secret` signs 钉钉 requests: neither is ever
    shown back in full. Saved only through services.robot_save, which refuses urls that are not
    http(s) or that resolve to a private, loopback, link-local or reserved address.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    department = models.OneToOneField(
        "accounts.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("机器人类型"), max_length=20, choices=RobotKind.choices)
    url = models.CharField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["id"]
        permissions = [("manage_team_robot", _("设置本部门的群机器人"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, department__isnull=True)
                | Q(user__isnull=True, department__isnull=False),
                name="robot_of_user_or_department",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class ChannelPreference(models.Model):
    """Which channels a person wants besides the in-app centre. No row: the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    email = models.BooleanField(_("邮件"), default=True)
    robot = models.BooleanField(_("个人机器人"), default=True)
    team_robot = models.BooleanField(_("团队机器人"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知渠道设置")
        verbose_name_plural = _("通知渠道设置")

    def __str__(self):
        return str(self.user_id)
