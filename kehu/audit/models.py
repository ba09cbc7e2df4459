from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyModel(models.Model):
    """Rows are written once and never changed or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise RuntimeError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__} is append-only")


class AuditEvent(AppendOnlyModel):
    """Something a person (or a task, actor empty) did: who, what, to which record, when."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=60)
    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.CharField(_("对象 ID"), max_length=40)
    data = models.JSONField(_("内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-at"], name="audit_event_target_idx")
        ]

    def __str__(self):
        return f"{self.action} {self.target_type}#{self.target_id}"


class FieldChange(AppendOnlyModel):
    """One field of one record changed from `old` to `new` (更新日期与更新人)."""

    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.BigIntegerField(_("对象 ID"))
    field = models.CharField(_("字段"), max_length=60)
    old = models.TextField(_("原值"), blank=True)
    new = models.TextField(_("新值"), blank=True)

    class Meta:
        verbose_name = _("字段变更")
        verbose_name_plural = _("字段变更")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-at"], name="field_change_target_idx")
        ]

    def __str__(self):
        return f"{self.target_type}#{self.target_id}.{self.field}"


class RevealLog(AppendOnlyModel):
    """Someone saw a masked personal value in full: who, whose record, which field, when."""

    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("查看人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.BigIntegerField(_("对象 ID"))
    field = models.CharField(_("字段"), max_length=60)

    class Meta:
        verbose_name = _("查看记录")
        verbose_name_plural = _("查看记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-at"], name="reveal_log_target_idx")
        ]

    def __str__(self):
        return f"{self.actor_id} → {self.target_type}#{self.target_id}.{self.field}"
