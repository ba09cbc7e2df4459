from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Where a notification goes besides the in-app centre (which every notification reaches)."""

    EMAIL = "email", _("邮件")
    ROBOT = "robot", _("个人机器人")
    TEAM_ROBOT = "team_robot", _("团队机器人")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class RobotKind(models.TextChoices):
    """Group-chat robots whose webhook message formats Kehu speaks."""

    WECOM = "wecom", _("企业微信")
    DINGTALK = "dingtalk", _("钉钉")
