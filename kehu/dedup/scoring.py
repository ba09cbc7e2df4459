"""How alike two customer records are: one 相似度 (a percentage) from every piece of evidence,
with one reason per signal. docs/DESIGN.md (Duplicates) explains the weights and how the
thresholds were chosen from the quality bench (bench/dedup_truth.py).

The score adds the weight of every signal that holds, from 0 to 100:

- the name core: identical +60; one or two characters typed differently +60 less 120/length
  per character (at least 15: one wrong character in a 6-character core +40, in a 4-character
  one +30 — 云帆 and 云航 may well be two companies); one core inside the other +40; a long core (≥ 6
  characters) +10, a short one −15 (3 characters) or −25 (2): 金华科技 is one of many, 云帆智能装备
  is not; when one of the two has no known city, the same core in use in other cities too,
  −15 for each (to −45): a 字号 + 行业 registered in five cities says little about which of
  them a record without a place is;
- the place (region field, else the name, else the credit code's region): same district +25,
  same city +20, another district of the city −10, another city or province −40;
- contacts: a shared mobile +30, a shared email +25, else the same company mail domain +20
  (not qq.com, 163.com…); mobiles on both sides and none shared −5; a mobile or email that
  three or more customers give (a front desk, an accounting agency) counts for nothing.

Two signals settle it: the same credit code, or (people) the same name and mobile, are 100. Two
companies with different valid credit codes are different legal entities, and a branch
(…杭州分公司) is not its company: such a pair is *related* (关联企业), never a duplicate,
whatever its score.
"""

import csv
from dataclasses import dataclass, field
from functools import cache

from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from stdnum.cn import uscc as stdnum_uscc

from kehu.dedup.choices import KeyKind, Relation
from kehu.dedup.places import _REGIONS_CSV, city_of, levels

# The signals, their reason texts and their weights (points of 相似度).
SAME_NAME = 60
SIMILAR_AT = 0.75  # name similarity (rapidfuzz indel) from which two cores are compared
CONTAINED = 40  # one core inside the other: 云帆智能 in 云帆智能科技
MAX_EDITS, EDIT_BUDGET, EDIT_MIN = 2, 120, 15  # per character edited: 120 / length, at least 15
LONG_CORE, LONG_CORE_LENGTH = 10, 6
SHORT_CORE = {2: -25, 3: -15}
SAME_DISTRICT, SAME_CITY, OTHER_DISTRICT, OTHER_CITY = 25, 20, -10, -40
COMMON_NAME, COMMON_NAME_MAX = -15, -45  # per other city where the same core is in use
SAME_PHONE, SAME_EMAIL, SAME_DOMAIN, OTHER_PHONES = 30, 25, 20, -5
# Mailboxes anyone can have: the same one of these says nothing about the company.
PUBLIC_MAIL_DOMAINS = frozenset(
    [
        "qq.com",
        "foxmail.com",
        "163.com",
        "126.com",
        "yeah.net",
        "188.com",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "139.com",
        "189.cn",
        "wo.cn",
        "aliyun.com",
        "21cn.com",
        "tom.com",
        "gmail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "example.com",  # reserved for examples (RFC 2606): nobody's company
        "example.org",
        "example.net",
    ]
)
# A mobile or email this many customers give is a front desk or an agency, not an identity.
COMMON_KEY_HOLDERS = 3
CERTAIN = 100

REASONS = {
    "same_uscc": _("统一社会信用代码相同"),
    "same_person": _("姓名和手机号相同"),
    "same_name": _("名称核心相同"),
    "similar_name": _("名称相似"),
    "long_core": _("名称核心较长，重名的可能小"),
    "short_core": _("名称核心很短，容易重名"),
    "common_name": _("其他城市也有同名企业"),
    "same_district": _("同一区县"),
    "same_city": _("同一城市"),
    "other_district": _("同城不同区县"),
    "other_city": _("不在同一城市"),
    "same_phone": _("手机号相同"),
    "same_email": _("邮箱相同"),
    "same_domain": _("企业邮箱域名相同"),
    "other_phones": _("联系人手机号都不同"),
    "other_uscc": _("统一社会信用代码不同：不同的法人"),
    "common_contact": _("号码或邮箱多家共用（前台、代理机构），不作为依据"),
    "branch": _("一方是分支机构"),
    "other_parent": _("不同公司的分支机构"),
}
# Signals that speak for "the same customer": a decision that two records differ holds until
# one of these appears that was not there when it was made.
POSITIVE = frozenset(
    {
        "same_uscc",
        "same_person",
        "same_name",
        "similar_name",
        "same_district",
        "same_city",
        "same_phone",
        "same_email",
        "same_domain",
    }
)


@dataclass(frozen=True)
class Profile:
    """One record's evidence, from its DedupKey rows (or from a form being typed)."""

    customer_id: int | None
    core: str = ""
    uscc: str = ""
    place: str = ""
    branch: str = ""  # a branch's own part of the name (重庆分公司), "" for a company itself
    parent_place: str = ""  # a branch's company's place, as its name starts
    phones: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    persons: frozenset[str] = frozenset()

    @classmethod
    def from_keys(cls, customer_id: int | None, keys) -> "Profile":
        values: dict[str, set[str]] = {}
        for kind, value in keys:
            values.setdefault(kind, set()).add(value)

        def one(kind):
            return min(values.get(kind, {""}))

        branch, _, parent_place = one(KeyKind.BRANCH).partition("|")
        return cls(
            customer_id=customer_id,
            core=one(KeyKind.NAME),
            uscc=one(KeyKind.USCC),
            place=one(KeyKind.PLACE),
            branch=branch,
            parent_place=parent_place,
            phones=frozenset(values.get(KeyKind.PHONE, ())),
            emails=frozenset(values.get(KeyKind.EMAIL, ())),
            persons=frozenset(values.get(KeyKind.PERSON, ())),
        )


@dataclass(frozen=True)
class Signal:
    code: str
    weight: int
    detail: str = ""  # what the reason text names (two cities)

    @property
    def text(self) -> str:
        text = str(REASONS[self.code])
        return f"{text}（{self.detail}）" if self.detail else text

    @property
    def plain_text(self) -> str:
        """The reason without what it names (cities…): for a record the reader may not see."""
        return str(REASONS[self.code])


@dataclass
class Assessment:
    """How alike two records are: 相似度 0–100, duplicate or related, and why."""

    score: int
    relation: str
    signals: list[Signal] = field(default_factory=list)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(s.code for s in self.signals)

    @property
    def positive(self) -> frozenset[str]:
        return self.codes & POSITIVE

    @property
    def reasons(self) -> list[str]:
        """One text per signal, the weightiest first."""
        ordered = sorted(self.signals, key=lambda s: (-abs(s.weight), s.code))
        return [s.text for s in ordered]

    @property
    def main_reason(self) -> Signal:
        """The signal a one-line list shows: what makes the pair a candidate."""
        return max(self.signals, key=lambda s: (s.code in POSITIVE, s.weight))


def name_similarity(a: str, b: str) -> float:
    """0–1: rapidfuzz's normalised indel similarity of the cores; one core inside the other
    (云帆智能 in 云帆智能科技, 4 characters or more) counts as 0.9."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    score = fuzz.ratio(a, b)
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 4 and shorter in longer:
        score = max(score, 90.0)
    return score / 100


def _similar_weight(a: str, b: str) -> tuple[int, str]:
    """Points for two alike but different cores, and what the reason text says: one core
    inside the other CONTAINED; else SAME_NAME less points per character typed differently,
    fewer in a longer core (one wrong character in 云帆智能装备 says less than in 云帆科技)."""
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 4 and shorter in longer:
        return CONTAINED, str(_("一个包含另一个"))
    edits = Levenshtein.distance(a, b)
    if edits > MAX_EDITS:
        return 0, ""
    per_edit = max(EDIT_MIN, round(EDIT_BUDGET / len(longer)))
    return max(0, SAME_NAME - edits * per_edit), str(_("%(n)s 字不同") % {"n": edits})


def _company_domains(profile: Profile) -> set[str]:
    domains = {e.rpartition("@")[2] for e in profile.emails}
    return domains - PUBLIC_MAIL_DOMAINS - {""}


def _valid_uscc(value: str) -> bool:
    return bool(value) and stdnum_uscc.is_valid(value)


@cache
def _region_names() -> dict[str, str]:
    with open(_REGIONS_CSV, encoding="utf-8") as rows:
        return {r["code"]: r["name"] for r in csv.DictReader(rows)}


def _place_name(code: str) -> str:
    province, city, district = levels(code)
    names = _region_names()
    for part in (district, city and city + "00", province and province + "0000"):
        if part and names.get(part) not in (None, "市辖区", "县"):
            return names[part]
    return names.get(province + "0000", "")


def _name_signals(a: Profile, b: Profile, name_cities: frozenset[str]) -> list[Signal]:
    similarity = name_similarity(a.core, b.core)
    if similarity < SIMILAR_AT:
        return []
    if similarity == 1.0:
        signals = [Signal("same_name", SAME_NAME)]
        # Same core, same city: one company (a registration authority allows one name).
        # With a city unknown, namesakes elsewhere make it a guess.
        cities = (city_of(a.place), city_of(b.place))
        others = set() if all(cities) else name_cities - set(cities) - {""}
        if others:
            weight = max(COMMON_NAME_MAX, COMMON_NAME * len(others))
            signals.append(Signal("common_name", weight, f"{len(others)} 个"))
    else:
        weight, detail = _similar_weight(a.core, b.core)
        if not weight:
            return []
        signals = [Signal("similar_name", weight, detail)]
    shared = min(len(a.core), len(b.core))
    if shared in SHORT_CORE:
        signals.append(Signal("short_core", SHORT_CORE[shared], f"{shared} 字"))
    elif shared >= LONG_CORE_LENGTH:
        signals.append(Signal("long_core", LONG_CORE))
    return signals


def _different_places(a: str, b: str) -> bool:
    """Both known, and another province or another city."""
    pa, ca, _ = levels(a)
    pb, cb, _ = levels(b)
    return bool(pa and pb) and (pa != pb or bool(ca and cb and ca != cb))


def _place_signals(a: Profile, b: Profile) -> list[Signal]:
    pa, ca, da = levels(a.place)
    pb, cb, db = levels(b.place)
    if not pa or not pb:
        return []
    if _different_places(a.place, b.place):
        detail = f"{_place_name(a.place)} / {_place_name(b.place)}"
        return [Signal("other_city", OTHER_CITY, detail)]
    if da and db:
        if da == db:
            return [Signal("same_district", SAME_DISTRICT, _place_name(a.place))]
        return [Signal("other_district", OTHER_DISTRICT)]
    if ca and cb:
        return [Signal("same_city", SAME_CITY, _place_name(ca + "00"))]
    return []


def assess(
    a: Profile,
    b: Profile,
    common: frozenset[str] = frozenset(),
    name_cities: frozenset[str] = frozenset(),
) -> Assessment:
    """Every signal between two records, their 相似度 and relation. `common`: mobiles and
    emails that COMMON_KEY_HOLDERS or more customers give (a front desk, an accounting
    agency): shared, they say nothing about identity. `name_cities`: the cities of the
    customers whose core is the pair's (when the two cores are the same)."""
    if a.uscc and a.uscc == b.uscc:
        return Assessment(CERTAIN, Relation.DUPLICATE, [Signal("same_uscc", CERTAIN)])
    if a.persons & b.persons:
        return Assessment(CERTAIN, Relation.DUPLICATE, [Signal("same_person", CERTAIN)])
    signals = _name_signals(a, b, name_cities) + _place_signals(a, b)
    phones, emails = (a.phones & b.phones) - common, (a.emails & b.emails) - common
    if phones:
        signals.append(Signal("same_phone", SAME_PHONE))
    elif a.phones - common and b.phones - common:
        signals.append(Signal("other_phones", OTHER_PHONES))
    if emails:
        signals.append(Signal("same_email", SAME_EMAIL))
    else:
        domains = _company_domains(a) & _company_domains(b)
        if domains:
            signals.append(Signal("same_domain", SAME_DOMAIN, min(domains)))
    if (a.phones | a.emails) & (b.phones | b.emails) & common:
        signals.append(Signal("common_contact", 0))
    relation = Relation.DUPLICATE
    if _valid_uscc(a.uscc) and _valid_uscc(b.uscc):
        signals.append(Signal("other_uscc", 0))
        relation = Relation.RELATED
    if a.branch != b.branch:
        signals.append(Signal("branch", 0, a.branch or b.branch))
        relation = Relation.RELATED
    elif a.branch and _different_places(a.parent_place, b.parent_place):
        signals.append(Signal("other_parent", 0, a.branch))
        relation = Relation.RELATED
    score = max(0, min(CERTAIN, sum(s.weight for s in signals)))
    return Assessment(score, relation, signals)
