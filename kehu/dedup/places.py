"""Where a customer is, as duplicate evidence: a GB/T 2260 code from its region field or, failing
that, from the place its name starts with (浙江省杭州市…, 杭州…, 上海…) or puts in brackets.

Codes are compared by level: the first two digits are the province, the first four the city
(municipalities' districts share their 市辖区 city, 1101), all six the district.
"""

import csv
import re
from functools import cache

from kehu.customers.normalize import halfwidth
from kehu.refdata.models import Region

_REGIONS_CSV = Region._meta.app_config.path + "/data/regions.csv"
_PROVINCE_SUFFIXES = (
    "壮族自治区",
    "回族自治区",
    "维吾尔自治区",
    "自治区",
    "特别行政区",
    "省",
    "市",
)
_CITY_SUFFIXES = ("自治州", "地区", "市", "盟")
_BRACKETED = re.compile(r"[(\[（【]([^)\]）】]{2,12})[)\]）】]")


@cache
def _names() -> dict[str, str]:
    """Place name as written at the start of a company name → its code. A name that two places
    share (朝阳区 in 北京 and 长春) is left out: it says nothing."""
    full: dict[str, set[str]] = {}
    with open(_REGIONS_CSV, encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            name, code, level = row["name"], row["code"], row["level"]
            if name in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}:
                continue
            if level == "1" and code[:2] in {"11", "12", "31", "50"}:
                code = code[:2] + "0100"  # a municipality is a city: 北京 → 北京市市辖区
            forms = {name}
            # Districts and counties only as written in full (西湖区, 义乌市): their short forms
            # are words a 字号 may start with.
            suffixes = {"1": _PROVINCE_SUFFIXES, "2": _CITY_SUFFIXES}.get(level, ())
            for suffix in suffixes:
                short = name.removesuffix(suffix)
                if short != name and len(short) >= 2:
                    forms.add(short)
                    break
            for form in forms:
                full.setdefault(form, set()).add(code)
    return {form: codes.pop() for form, codes in full.items() if len(codes) == 1}


@cache
def _prefix_re() -> re.Pattern:
    alternatives = "|".join(sorted(map(re.escape, _names()), key=len, reverse=True))
    # Not a place when a place suffix follows what matched: 朝阳区 is not 朝阳市 + 区….
    return re.compile(f"^({alternatives})(?![区县市州盟省镇乡路街])")


def _merge(known: str, code: str) -> str | None:
    """The more specific of two codes on one path (浙江 then 杭州 → 杭州); None when they
    disagree (广东 then 杭州: not a place prefix)."""
    if not known:
        return code
    for digits in (2, 4, 6):
        a, b = known[:digits], code[:digits]
        if a.endswith("00") or b.endswith("00"):
            break
        if a != b:
            return None
    return code if len(code.rstrip("0")) >= len(known.rstrip("0")) else known


def place_from_name(name: str) -> str:
    """The place a company name starts with, or puts in brackets: '浙江省杭州市云帆科技有限公司'
    → '330100'; '云帆科技（上海）有限公司' → '310100'; '' when it names none."""
    text = halfwidth(name).replace(" ", "")
    code = ""
    for _ in range(3):
        match = _prefix_re().match(text)
        if not match:
            break
        merged = _merge(code, _names()[match.group(1)])
        if merged is None:
            break
        code, text = merged, text[match.end() :]
    if code:
        return code
    for inside in _BRACKETED.findall(text):
        match = _prefix_re().match(inside)
        if match and match.end() == len(inside):
            return _names()[match.group(1)]
    return ""


def place_of(region_code: str | None, name: str, branch: str = "", uscc: str = "") -> str:
    """A customer's place: its region field, else what its name says — for a branch, the place
    of the branch (…长春立远有限公司安阳分公司 is in 安阳), not of its company — else the
    registration authority's region in its credit code (characters 3–8, GB 32100)."""
    return (
        region_code
        or (branch and place_from_name(branch))
        or place_from_name(name)
        or place_from_uscc(uscc)
    )


def place_from_uscc(uscc: str) -> str:
    """The region code a credit code carries ('91330106…' → '330106'), '' if it names none."""
    code = uscc[2:8]
    return code if len(code) == 6 and code.isdigit() and code in _codes() else ""


@cache
def _codes() -> frozenset[str]:
    with open(_REGIONS_CSV, encoding="utf-8") as rows:
        return frozenset(row["code"] for row in csv.DictReader(rows))


def city_of(code: str) -> str:
    """The city part of a place code ('3301'), '' when the place is no more than a province."""
    return levels(code)[1]


def levels(code: str) -> tuple[str, str, str]:
    """(province, city, district) of a code, '' for a level it does not reach."""
    if not code:
        return "", "", ""
    province = code[:2]
    city = code[:4] if code[2:4] != "00" else ""
    district = code if city and code[4:] != "00" else ""
    return province, city, district
