from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyKind(models.TextChoices):
    """Exact keys block a new record; a same name core is a probable duplicate."""

    USCC = "uscc", _("统一社会信用代码")
    PHONE = "phone", _("手机号")
    EMAIL = "email", _("邮箱")
    NAME = "name", _("名称核心")
    PERSON = "person", _("姓名+手机号")


EXACT_KINDS = {KeyKind.USCC, KeyKind.PHONE, KeyKind.EMAIL, KeyKind.PERSON}


class ScanStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("扫描中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class GroupStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    MERGED = "merged", _("已合并")
    DISMISSED = "dismissed", _("不是重复")
