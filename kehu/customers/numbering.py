"""Customer numbers: `C` + YYYYMMDD + daily sequence by default (C20240515001).

The pattern comes from KEHU_CUSTOMER_NUMBER_PATTERN (format fields `date` and `seq`). The counter
row is incremented with a single UPDATE inside the creating transaction: PostgreSQL's row lock and
SQLite's IMMEDIATE write lock both make concurrent creators queue, so no number is handed out
twice. A rolled-back creation gives its number back (gaps are tolerated, not needed).

The sequence restarts whenever the date part of the pattern changes: daily for the default, monthly
for a pattern such as `KH{date:%Y%m}{seq:04d}`, never for one without a date. The counter row is
keyed by the first day of that period, so every day of a month shares one counter.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kehu.customers.models import CustomerNumberSequence

# The counter of a pattern without any date part (one sequence for ever).
EPOCH = dt.date(2000, 1, 1)


def _period_start(day: dt.date, pattern: str) -> dt.date:
    """The first day whose number has the same date part as `day`'s under `pattern`."""
    key = pattern.format(date=day, seq=0)
    start = day
    for _ in range(366):
        previous = start - dt.timedelta(days=1)
        if pattern.format(date=previous, seq=0) != key:
            return start
        start = previous
    return EPOCH


def next_customer_number() -> str:
    pattern = settings.KEHU_CUSTOMER_NUMBER_PATTERN
    today = timezone.localdate()
    day = _period_start(today, pattern)
    with transaction.atomic():
        updated = CustomerNumberSequence.objects.filter(day=day).update(last=F("last") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    CustomerNumberSequence.objects.create(day=day, last=1)
            except IntegrityError:
                # Another creator made the row first; take the next value from it.
                CustomerNumberSequence.objects.filter(day=day).update(last=F("last") + 1)
        seq = CustomerNumberSequence.objects.get(day=day).last
    return pattern.format(date=today, seq=seq)
