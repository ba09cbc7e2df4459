"""Which language a request is answered in, for data that carries its own English name
(reference data, source channels): `gettext` translates the code's strings, not the rows."""

from django.utils.translation import get_language


def in_english() -> bool:
    return (get_language() or "").startswith("en")


def localized(chinese: str, english: str) -> str:
    """`english` when the request is in English and there is one, else `chinese`."""
    return english if english and in_english() else chinese


def list_separator() -> str:
    """Between the items of a list in running text: 、 in Chinese, a comma in English."""
    return ", " if in_english() else "、"


def join_list(items) -> str:
    return list_separator().join(map(str, items))


def join_clauses(items) -> str:
    """Clauses that may hold lists themselves: ；between them in Chinese, "; " in English."""
    return ("; " if in_english() else "；").join(map(str, items))


def colon() -> str:
    """After a label ("负责人：张伟"): full-width in Chinese, ": " in English."""
    return ": " if in_english() else "："
