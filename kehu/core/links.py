"""Links to records, made without a full URL reverse per row: a list page links every row, and
reverse() costs ~0.1 ms each on a small server."""

from functools import lru_cache

from django.urls import get_script_prefix, reverse

_SENTINEL = "8000000001"


@lru_cache(maxsize=64)
def _pattern(name: str, script_prefix: str) -> str:
    return reverse(name, args=[int(_SENTINEL)]).replace(_SENTINEL, "{}")


def record_url(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for a URL whose one argument is an integer id."""
    return _pattern(name, get_script_prefix()).format(int(pk))
