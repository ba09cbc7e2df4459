from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.dedup.choices import GroupStatus, KeyKind, ScanStatus


class DedupKey(models.Model):
    """A normalised identity key of a customer, kept by the customer services on every write.

    Same (kind, value) on two customers means a duplicate (exact kinds) or a probable one (name).
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
    """Customers a scan believes are the same, with how sure it is (0–1) and why."""

    scan = models.ForeignKey(ScanRun, on_delete=models.CASCADE, related_name="groups")
    confidence = models.FloatField(_("置信度"))
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
        ordering = ["-confidence", "id"]
        indexes = [models.Index(fields=["status", "-confidence"], name="dup_group_status_idx")]

    def __str__(self):
        return f"group #{self.pk} ({self.confidence:.2f})"


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
