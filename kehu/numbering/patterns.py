"""Number patterns: Python format strings with two fields, `date` (strftime codes %Y %y %m %d)
and `seq` (the sequence, e.g. {seq:03d}), around letters, digits, "-" and "_":

    C{date:%Y%m%d}{seq:03d}   → C20240515001 (the default: daily sequence)
    KH-{date:%y%m}-{seq:05d}  → KH-2405-00001 (monthly)
    K{seq:06d}                → K000001 (never restarts)

The sequence restarts whenever the date part changes: `period_start` finds the first day with
the same date part, which keys the counter row.
"""

import datetime as dt
import re
import string

from django.utils.translation import gettext as _

# The counter of a pattern without any date part (one sequence for ever).
EPOCH = dt.date(2000, 1, 1)
LITERAL = re.compile(r"[A-Za-z0-9_-]*")
DATE_SPEC = re.compile(r"(?:%[Yymd]|[-_])+")
SEQ_SPEC = re.compile(r"(?:0[1-9]d|d)?")
SAMPLE_DAY = dt.date(2024, 5, 15)
# A pattern must leave room for a sequence this long (a million numbers in one period).
SEQ_ROOM = 999_999


def pattern_errors(pattern: str, max_length: int) -> list[str]:
    """What is wrong with `pattern` for a column of `max_length`, in words (none: usable)."""
    if not pattern:
        return [_("请填写编号格式")]
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return [_("花括号不成对：字段写作 {date:%Y%m%d} 或 {seq:03d}")]
    errors = []
    seq_count = 0
    for literal, name, spec, conversion in parts:
        if not LITERAL.fullmatch(literal):
            errors.append(_("固定部分只能用字母、数字、- 和 _：“%(text)s”") % {"text": literal})
        if name is None:
            continue
        if conversion:
            errors.append(_("字段不能带 !%(c)s") % {"c": conversion})
        elif name == "date":
            if not spec or not DATE_SPEC.fullmatch(spec):
                errors.append(_("日期只能由 %Y %y %m %d 组成，例如 {date:%Y%m%d}"))
        elif name == "seq":
            seq_count += 1
            if not SEQ_SPEC.fullmatch(spec or ""):
                errors.append(_("流水号写作 {seq} 或 {seq:03d}（3 为位数，1–9 位）"))
        else:
            errors.append(_("未知字段 {%(name)s}：只能用 {date} 和 {seq}") % {"name": name})
    if seq_count != 1:
        errors.append(_("必须有且只有一个流水号 {seq}"))
    if errors:
        return errors
    longest = format_number(pattern, SAMPLE_DAY, SEQ_ROOM)
    if len(longest) > max_length:
        errors.append(
            _("编号可能长达 %(n)s 个字符，超过上限 %(max)s")
            % {"n": len(longest), "max": max_length}
        )
    return errors


def format_number(pattern: str, day: dt.date, seq: int) -> str:
    return pattern.format(date=day, seq=seq)


def period_start(day: dt.date, pattern: str) -> dt.date:
    """The first day whose number has the same date part as `day`'s under `pattern`."""
    key = format_number(pattern, day, 0)
    start = day
    for _n in range(366):
        previous = start - dt.timedelta(days=1)
        if format_number(pattern, previous, 0) != key:
            return start
        start = previous
    return EPOCH
