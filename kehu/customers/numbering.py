"""Customer numbers: `C` + YYYYMMDD + daily sequence by default (C20240515001).

The pattern comes from KEHU_CUSTOMER_NUMBER_PATTERN (format fields `date` and `seq`). The daily
counter row is incremented with a single UPDATE inside the creating transaction: PostgreSQL's
row lock and SQLite's IMMEDIATE write lock both make concurrent creators queue, so no number is
handed out twice. A rolled-back creation gives its number back (gaps are tolerated, not needed).
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kehu.customers.models import CustomerNumberSequence


def next_customer_number() -> str:
    day = timezone.localdate()
    with transaction.atomic():
        updated = CustomerNumberSequence.objects.filter(day=day).update(last=F("last") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    CustomerNumberSequence.objects.create(day=day, last=1)
            except IntegrityError:
                # Another creator made today's row first; take the next value from it.
                CustomerNumberSequence.objects.filter(day=day).update(last=F("last") + 1)
        seq = CustomerNumberSequence.objects.get(day=day).last
    return settings.KEHU_CUSTOMER_NUMBER_PATTERN.format(date=day, seq=seq)
