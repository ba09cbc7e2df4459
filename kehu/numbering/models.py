from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberPattern(models.Model):
    """The pattern of one kind of number (客户编号 …) as an administrator set it in 设置; a kind
    without a row uses its registered default (numbering.kinds). Creating a number locks this
    row, so a pattern never changes under a number being made."""

    kind = models.CharField(_("编号类型"), max_length=30, primary_key=True)
    # "": the kind's registered default (numbering.kinds), until someone sets one.
    pattern = models.CharField(_("格式"), max_length=60, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("编号规则")
        verbose_name_plural = _("编号规则")
        ordering = ["kind"]

    def __str__(self):
        return f"{self.kind}: {self.pattern}"


class NumberSequence(models.Model):
    """The last sequence number handed out for a kind in a period: the first day of the period
    the pattern's date part names (a day, a month, or 2000-01-01 for a pattern without a date)."""

    kind = models.CharField(_("编号类型"), max_length=30)
    period = models.DateField(_("周期"))
    last = models.PositiveIntegerField(_("最后序号"), default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        ordering = ["kind", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period"], name="number_sequence_unique"),
        ]

    def __str__(self):
        return f"{self.kind} {self.period}: {self.last}"
