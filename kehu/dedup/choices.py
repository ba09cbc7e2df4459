from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyKind(models.TextChoices):
    """Exact keys identify a customer; the name core and its reverse find candidates; place
    and branch only weigh in the score."""

    USCC = "uscc", _("统一社会信用代码")
    PHONE = "phone", _("手机号")
    EMAIL = "email", _("邮箱")
    NAME = "name", _("名称核心")
    PERSON = "person", _("姓名+手机号")
    NAME_REV = "name_rev", _("名称核心（倒序）")
    PLACE = "place", _("所在地")
    BRANCH = "branch", _("分支机构")


# Keys two records of one customer share exactly; each is a duplicate by itself (subject to
# the key policy, DedupPolicy).
EXACT_KINDS = {KeyKind.USCC, KeyKind.PHONE, KeyKind.EMAIL, KeyKind.PERSON}


class Relation(models.TextChoices):
    """What a candidate is to the record it was compared with."""

    DUPLICATE = "duplicate", _("疑似重复")
    # Different legal entities (different credit codes, or a branch and its company): never a
    # duplicate, never blocking, shown apart.
    RELATED = "related", _("关联企业")


class MatchLevel(models.TextChoices):
    """What a candidate does to a create or an edit, strongest first."""

    BLOCK = "block", _("不能重复创建")
    CONFIRM = "confirm", _("需要说明原因")  # a shared phone or email under a warning policy
    WARN = "warn", _("疑似重复")  # a 相似度 at or above the entry threshold
    RELATED = "related", _("关联企业")  # shown apart, never in the way


class KeyPolicy(models.TextChoices):
    """What a shared mobile or email does at entry (DedupPolicy)."""

    BLOCK = "block", _("禁止重复创建")
    WARN = "warn", _("强提醒（填写原因后可创建）")


class DecisionSource(models.TextChoices):
    """Where a person said that two records are different customers."""

    ENTRY = "entry", _("录入时仍然创建")
    OVERRIDE = "override", _("录入时说明原因后创建")
    REVIEW = "review", _("查重审核：不是重复")


class ScanStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("扫描中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class GroupStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    MERGED = "merged", _("已合并")
    DISMISSED = "dismissed", _("不是重复")
