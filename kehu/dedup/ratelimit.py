"""How often one user may ask the duplicate check (the API and the form's hint alike).

The check tells whether a full phone or email belongs to some customer, even one the user may
not see ("exists, owner: 张三"): without a limit it is a directory lookup. A person filling in
forms asks a few times a minute; the limits leave that alone and stop a script. Counted in the
cache: shared by every process with Redis (REDIS_URL), per process without it.
"""

import time

from django.core.cache import cache
from django.utils.translation import gettext as _

from kehu.core.errors import RateLimited

# (seconds, checks allowed per user in that window)
LIMITS = ((60, 60), (3600, 600))


def hit(user) -> None:
    """Count one check for `user`; RateLimited (429, with when to retry) past a limit."""
    now = int(time.time())
    for seconds, allowed in LIMITS:
        window = now // seconds
        key = f"dedup.check:{user.pk}:{seconds}:{window}"
        cache.add(key, 0, timeout=seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds + 1)
            count = 1
        if count > allowed:
            retry_after = (window + 1) * seconds - now
            raise RateLimited(
                _("查重过于频繁，请 %(seconds)s 秒后再试") % {"seconds": retry_after},
                extra={"retry_after": retry_after},
            )
