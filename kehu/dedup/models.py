from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.dedup.choices import DecisionSource, GroupStatus, KeyKind, KeyPolicy, ScanStatus


class DedupKey(models.Model):
    """A normalised identity key or piece of evidence of a customer (keys.py), kept after every
    customer write (registered with kehu.customers.hooks).

    Same (kind, value) on two customers means a duplicate (exact kinds); the name core and its
    reverse find candidates; place and branch weigh in the score (scoring.py).
    """

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=KeyKind.choices)
    value = models.CharField(_("值"), max_length=200)

    class Meta:
        verbose_name = _("查重键")
        verbose_name_plural = _("查重键")
        ordering = ["kind", "value"]
        indexes = [models.Index(fields=["kind", "value", "customer"], name="dedup_key_lookup_idx")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "value"], name="dedup_key_unique"),
        ]

    def __str__(self):
        return f"{self.kind}:{self.value}"


class ScanRun(models.Model):
    """One background scan of the whole customer base for duplicate groups."""

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ScanStatus.choices, default=ScanStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("客户总数"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    groups_found = models.PositiveIntegerField(_("发现的重复组"), default=0)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("查重扫描")
        verbose_name_plural = _("查重扫描")
        ordering = ["-created_at"]

    def __str__(self):
        return f"scan #{self.pk} {self.status}"


class DuplicateGroup(models.Model):
    """Customers a scan believes are the same, with their 相似度 (0–100, the lowest of the
    pairs that link them, scoring.py) and why."""

    scan = models.ForeignKey(ScanRun, on_delete=models.CASCADE, related_name="groups")
    score = models.PositiveSmallIntegerField(_("相似度"), default=0)
    reasons = models.JSONField(_("原因"), default=list)
    status = models.CharField(
        _("状态"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.OPEN
    )
    customers = models.ManyToManyField(
        "customers.Customer", related_name="+", verbose_name=_("客户")
    )

    class Meta:
        verbose_name = _("重复组")
        verbose_name_plural = _("重复组")
        ordering = ["-score", "id"]
        indexes = [models.Index(fields=["status", "-score", "id"], name="dup_group_status_idx")]

    def __str__(self):
        return f"group #{self.pk} ({self.score}%)"


class PairDecision(models.Model):
    """Two customers a person said are different (录入时仍然创建, or 不是重复 on review).

    Neither the check nor the scan raises the pair again — unless a signal for "the same"
    appears that `signals` (the positive signals when it was decided) did not hold: then once,
    saying why, until someone decides again. `first` is the lower id.
    """

    first = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("来源"), max_length=10, choices=DecisionSource.choices)
    signals = models.JSONField(_("当时的依据"), default=list)
    score = models.PositiveSmallIntegerField(_("当时的相似度"), default=0)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("判定人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("判定时间"), auto_now=True)

    class Meta:
        verbose_name = _("不是重复的判定")
        verbose_name_plural = _("不是重复的判定")
        ordering = ["-decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="dedup_decision_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="dedup_decision_order"
            ),
        ]
        indexes = [models.Index(fields=["second", "first"], name="dedup_decision_second_idx")]

    def __str__(self):
        return f"{self.first_id} ≠ {self.second_id}"


class DedupPolicy(models.Model):
    """What a shared mobile or email does at entry (one row, edited on 设置 › 查重规则).

    A credit code always blocks. A mobile or an email blocks by default; an administrator may
    make either a strong warning (a receptionist's phone, an agency's mailbox shared by several
    companies), which a person overrides by giving a reason (audited).
    """

    phone = models.CharField(
        _("手机号相同"), max_length=10, choices=KeyPolicy.choices, default=KeyPolicy.BLOCK
    )
    email = models.CharField(
        _("邮箱相同"), max_length=10, choices=KeyPolicy.choices, default=KeyPolicy.BLOCK
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("查重规则")
        verbose_name_plural = _("查重规则")

    def __str__(self):
        return f"phone={self.phone} email={self.email}"


class MergeRecord(models.Model):
    """Everything a merge changed, so that it can be undone exactly.

    `snapshot` holds the merged customers as serialised rows, the survivor's values before the
    merge and the ids of every related row that was re-pointed.
    """

    survivor = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("保留的客户"),
    )
    merged_numbers = models.JSONField(_("被合并的客户编号"), default=list)
    snapshot = models.JSONField(_("快照"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("合并时间"), auto_now_add=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("合并记录")
        verbose_name_plural = _("合并记录")
        ordering = ["-created_at"]

    def __str__(self):
        return f"merge #{self.pk} → {self.survivor_id}"
