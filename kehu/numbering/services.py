"""Handing out numbers and changing their patterns (DESIGN.md rule 2).

`next_number(kind)` runs inside the creating transaction. It locks the kind's NumberPattern row
(SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions hold the write lock), so
creators of one kind queue there and a pattern change waits for them, then increments the
period's counter with one UPDATE, and skips any number the target column already holds (a
pattern changed back and forth, or to one that can produce an older pattern's numbers). A
rolled-back creation gives its number back: gaps are tolerated, repeats never happen.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import audit_record
from kehu.core.errors import ValidationFailed
from kehu.numbering.kinds import KINDS
from kehu.numbering.models import NumberPattern, NumberSequence
from kehu.numbering.patterns import format_number, pattern_errors, period_start

# More taken numbers in a row than this means the pattern cannot make new ones.
MAX_SKIPS = 1_000


def _locked_pattern(kind) -> NumberPattern:
    row = NumberPattern.objects.select_for_update().filter(kind=kind.key).first()
    if row is None:
        try:
            with transaction.atomic():
                # "" keeps the registered default (an environment variable may set it)
                NumberPattern.objects.create(kind=kind.key, pattern="")
        except IntegrityError:
            pass  # another creator made it first
        row = NumberPattern.objects.select_for_update().get(kind=kind.key)
    return row


def _next_seq(kind_key: str, period) -> int:
    updated = NumberSequence.objects.filter(kind=kind_key, period=period).update(last=F("last") + 1)
    if not updated:
        NumberSequence.objects.create(kind=kind_key, period=period, last=1)
    return NumberSequence.objects.get(kind=kind_key, period=period).last


@transaction.atomic
def next_number(kind_key: str) -> str:
    kind = KINDS[kind_key]
    pattern = _locked_pattern(kind).pattern or kind.default
    today = timezone.localdate()
    period = period_start(today, pattern)
    taken = kind.model_class._base_manager
    for _attempt in range(MAX_SKIPS):
        number = format_number(pattern, today, _next_seq(kind.key, period))
        if not taken.filter(**{kind.field: number}).exists():
            return number
    raise ValidationFailed(
        _("编号格式已无法生成新的编号，请在设置中修改"),
        errors=[{"field": kind.field, "message": _("编号格式已无法生成新的编号")}],
    )


def preview(kind_key: str, pattern: str) -> str:
    """The number `pattern` would give next if saved now (without handing it out)."""
    today = timezone.localdate()
    row = NumberSequence.objects.filter(kind=kind_key, period=period_start(today, pattern)).first()
    return format_number(pattern, today, (row.last if row else 0) + 1)


@transaction.atomic
def pattern_update(*, kind_key: str, pattern: str, actor) -> NumberPattern:
    kind = KINDS[kind_key]
    pattern = pattern.strip()
    errors = pattern_errors(pattern, kind.max_length)
    if errors:
        raise ValidationFailed(
            errors[0], errors=[{"field": "pattern", "message": message} for message in errors]
        )
    row = _locked_pattern(kind)
    old = row.pattern or kind.default
    row.pattern, row.updated_by = pattern, actor
    row.save()
    audit_record(
        actor=actor,
        action="numbering.pattern_update",
        target=row,
        data={"kind": kind.key, "old": old, "new": pattern},
    )
    return row
