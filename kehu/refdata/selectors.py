"""Reads of the reference data. The tables are static between deployments (they change only by
migration), so each is read once per process and kept in memory; call refdata_cache_clear() after
loading new data in the same process (tests, a data migration run from a shell).

Returned model instances are shared by every caller: read them, never modify them.
"""

from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

from kehu.core.language import in_english
from kehu.refdata.models import Industry, Region


class _Tree(NamedTuple):
    by_code: MappingProxyType
    children: MappingProxyType  # parent code (None for the top level) → tuple of rows


def _tree(rows, parent_attr: str) -> _Tree:
    by_code, children = {}, {}
    for row in rows:
        by_code[row.pk] = row
        children.setdefault(getattr(row, parent_attr), []).append(row)
    return _Tree(
        MappingProxyType(by_code),
        MappingProxyType({code: tuple(items) for code, items in children.items()}),
    )


@lru_cache(maxsize=1)
def _regions() -> _Tree:
    return _tree(Region.objects.order_by("code"), "parent_id")


@lru_cache(maxsize=1)
def _industries() -> _Tree:
    return _tree(Industry.objects.order_by("code"), "section_id")


def refdata_cache_clear() -> None:
    _regions.cache_clear()
    _industries.cache_clear()
    _industry_choices.cache_clear()


# --- Regions (GB/T 2260) --------------------------------------------------------------------


def region_get(code: str | None) -> Region | None:
    """The region with this 6-digit code, or None."""
    return _regions().by_code.get(code) if code else None


def region_exists(code: str | None) -> bool:
    return region_get(code) is not None


def region_children(parent_code: str | None = None) -> tuple[Region, ...]:
    """The regions directly under `parent_code`, by code; the provinces when it is None or "".
    An unknown code or a district has no children: an empty tuple."""
    return _regions().children.get(parent_code or None, ())


def region_display(code: str | None) -> str:
    """The full name, "广东省-深圳市-南山区" or "上海市-浦东新区" ("Nanshan District, Shenzhen,
    Guangdong" in English); "" for an empty or unknown code."""
    region = region_get(code)
    return region.full_label if region else ""


# --- Industries (GB/T 4754-2017) ------------------------------------------------------------


def industry_get(code: str | None) -> Industry | None:
    """The section ("C") or division ("35") with this code, or None."""
    return _industries().by_code.get(code) if code else None


def industry_exists(code: str | None) -> bool:
    return industry_get(code) is not None


def industry_list(section_code: str | None = None) -> tuple[Industry, ...]:
    """The divisions of `section_code`, by code; the 20 sections when it is None or "".
    An unknown code or a division has no children: an empty tuple."""
    return _industries().children.get(section_code or None, ())


def industry_display(code: str | None) -> str:
    """The full name: "制造业-专用设备制造业" for a division, "制造业" for a section;
    "" for an empty or unknown code."""
    industry = industry_get(code)
    return industry.full_label if industry else ""


@lru_cache(maxsize=2)
def _industry_choices(english: bool) -> tuple:
    return tuple(
        (
            section.label,
            tuple((division.code, division.label) for division in industry_list(section.code)),
        )
        for section in industry_list()
    )


def industry_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Divisions grouped by section, in the shape of Django's grouped `choices`:
    [("农、林、牧、渔业", [("01", "农业"), …]), …, ("制造业", [("13", "农副食品加工业"), …]), …]."""
    return [(group, list(options)) for group, options in _industry_choices(in_english())]
