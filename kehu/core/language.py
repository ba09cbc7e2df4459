"""Which language a request is answered in, for data that carries its own English name
(reference data, source channels): `gettext` translates the code's strings, not the rows."""

from django.utils.translation import get_language


def in_english() -> bool:
    return (get_language() or "").startswith("en")


def localized(chinese: str, english: str) -> str:
    """`english` when the request is in English and there is one, else `chinese`."""
    return english if english and in_english() else chinese
