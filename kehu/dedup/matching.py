"""Candidates for a record being entered or edited, each assessed with all the evidence
(scoring.py) and given what it does to the write (MatchLevel): block it, ask for a reason,
warn, or only show a related company apart.

Candidates come from the identifying keys (credit code, mobiles, emails, name + mobile), the
same name core, and the name cores next to the typed one in two orders — forward and reversed
(DedupKey rows `name` and `name_rev`) — so that a typo anywhere leaves a long shared start in
one of them.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from kehu.dedup.choices import EXACT_KINDS, KeyKind, KeyPolicy, MatchLevel, Relation
from kehu.dedup.keys import keys_from_values
from kehu.dedup.models import DedupKey, PairDecision
from kehu.dedup.places import city_of
from kehu.dedup.scoring import COMMON_KEY_HOLDERS, Assessment, Profile, Signal, assess

# Warn at entry from this 相似度: chosen from the quality bench (bench/dedup_truth.py) as the
# lowest threshold keeping the warnings' precision at 0.9 or more (docs/DESIGN.md).
CHECK_THRESHOLD = 75
NEIGHBOURS = 8  # name cores read on each side of the typed one, in each order
SAME_KEY_CAP = 200  # customers read per shared key or core (a common 字号 in many cities)
KEY_SIGNALS = {"same_uscc", "same_person", "same_phone", "same_email"}
LEVEL_ORDER = [MatchLevel.BLOCK, MatchLevel.CONFIRM, MatchLevel.WARN, MatchLevel.RELATED]


@dataclass
class Policy:
    """The key policy in force (DedupPolicy, read through selectors.policy)."""

    phone: str = KeyPolicy.BLOCK
    email: str = KeyPolicy.BLOCK


@dataclass
class Match:
    customer_id: int
    assessment: Assessment
    level: str
    reraised: str = ""  # why a pair once decided as different is raised again

    @property
    def score(self) -> int:
        return self.assessment.score

    @property
    def main(self) -> Signal:
        """The reason a one-line list shows: the key that refuses or needs a reason, else
        what makes the pair alike."""
        if self.level in (MatchLevel.BLOCK, MatchLevel.CONFIRM):
            keyed = [s for s in self.assessment.signals if s.code in KEY_SIGNALS]
            if keyed:
                return max(keyed, key=lambda s: s.weight)
        return self.assessment.main_reason


def load_profiles(ids) -> dict[int, Profile]:
    """Each customer's evidence, from its DedupKey rows (one query)."""
    ids = list(ids)
    if not ids:
        return {}
    rows: dict[int, list] = {i: [] for i in ids}
    for customer_id, kind, value in DedupKey.objects.filter(customer_id__in_ids=ids).values_list(
        "customer_id", "kind", "value"
    ):
        rows[customer_id].append((kind, value))
    return {i: Profile.from_keys(i, keys) for i, keys in rows.items()}


def level_for(assessment: Assessment, shared: set[str], policy: Policy, threshold: int):
    """What a candidate does to a write, or None when it is not worth showing."""
    if shared & {KeyKind.USCC, KeyKind.PERSON}:
        return MatchLevel.BLOCK
    if assessment.relation == Relation.RELATED:
        # Different legal entities: shown apart when the name or a contact ties them.
        ties = {"same_name", "similar_name", "same_phone", "same_email"}
        return MatchLevel.RELATED if assessment.codes & ties else None
    keyed = [getattr(policy, kind) for kind in (KeyKind.PHONE, KeyKind.EMAIL) if kind in shared]
    if KeyPolicy.BLOCK in keyed:
        return MatchLevel.BLOCK
    if keyed:
        return MatchLevel.CONFIRM
    return MatchLevel.WARN if assessment.score >= threshold else None


def shared_kinds(a: Profile, b: Profile, common: frozenset[str]) -> set[str]:
    """The identifying keys two records share (a common mobile or email does not identify)."""
    shared = set()
    if a.uscc and a.uscc == b.uscc:
        shared.add(KeyKind.USCC)
    if a.persons & b.persons:
        shared.add(KeyKind.PERSON)
    if (a.phones & b.phones) - common:
        shared.add(KeyKind.PHONE)
    if (a.emails & b.emails) - common:
        shared.add(KeyKind.EMAIL)
    return shared


def common_keys(me: Profile, others) -> frozenset[str]:
    """The typed mobiles and emails that COMMON_KEY_HOLDERS or more customers already give."""
    holders = Counter(v for p in others for v in (me.phones & p.phones) | (me.emails & p.emails))
    return frozenset(v for v, n in holders.items() if n >= COMMON_KEY_HOLDERS)


def _candidate_ids(keys: set, core: str, exclude_id: int | None, similar: bool) -> set[int]:
    """Customers sharing an identifying key or the name core, and the cores next to this one
    in both orders: as one UNION ALL where the database takes ordered, limited parts
    (PostgreSQL), else part by part (SQLite, in process)."""
    rows = DedupKey.objects.values_list("customer_id", flat=True)
    exact = Q()
    for kind, value in keys:
        if kind in EXACT_KINDS:
            exact |= Q(kind=kind, value=value)
    parts = [rows.filter(exact).order_by()[:SAME_KEY_CAP]] if exact else []
    if similar and len(core) >= 2:
        parts.append(rows.filter(kind=KeyKind.NAME, value=core).order_by()[:SAME_KEY_CAP])
        for kind, value in ((KeyKind.NAME, core), (KeyKind.NAME_REV, core[::-1])):
            of_kind = rows.filter(kind=kind)
            parts.append(of_kind.filter(value__gt=value).order_by("value")[:NEIGHBOURS])
            parts.append(of_kind.filter(value__lt=value).order_by("-value")[:NEIGHBOURS])
    if not parts:
        return set()
    if connection.features.supports_slicing_ordering_in_compound:
        ids = set(parts[0].union(*parts[1:], all=True))
    else:
        ids = {i for part in parts for i in part}
    ids.discard(exclude_id)
    return ids


def find_matches(
    *,
    kind: str,
    name: str,
    uscc: str = "",
    mobiles=(),
    emails=(),
    region_code: str | None = None,
    exclude_id: int | None = None,
    similar: bool = True,
    policy: Policy | None = None,
    threshold: int = CHECK_THRESHOLD,
) -> list[Match]:
    """Every candidate worth showing for the values given, strongest first. `similar=False`
    looks at the identifying keys only (an edit of a phone, a new contact). With `exclude_id`
    (the record being edited), pairs a person decided are different stay quiet unless new
    evidence appeared since."""
    policy = policy or Policy()
    keys = keys_from_values(
        kind=kind, name=name, uscc=uscc, mobiles=mobiles, emails=emails, region_code=region_code
    )
    me = Profile.from_keys(None, keys)
    profiles = load_profiles(_candidate_ids(keys, me.core, exclude_id, similar))
    common = common_keys(me, profiles.values())
    name_cities = frozenset(city_of(p.place) for p in profiles.values() if p.core == me.core)
    matches = []
    for customer_id, other in profiles.items():
        shared = shared_kinds(me, other, common)
        if not similar and not shared:
            continue
        assessment = assess(me, other, common, name_cities)
        level = level_for(assessment, shared, policy, threshold)
        if level is not None and (similar or level != MatchLevel.WARN):
            matches.append(Match(customer_id, assessment, level))
    if exclude_id is not None:
        matches = apply_decisions(exclude_id, matches)
    return sorted(matches, key=lambda m: (LEVEL_ORDER.index(m.level), -m.score, m.customer_id))


def pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def reraise_reason(decision: PairDecision | dict, assessment: Assessment) -> str | None:
    """None while a decision holds; else why the pair is raised again (the signals for "the
    same" that were not there when it was decided)."""
    decided = set(decision["signals"] if isinstance(decision, dict) else decision.signals)
    new = [s for s in assessment.signals if s.code in assessment.positive - decided]
    if "same_name" in assessment.codes and "similar_name" in decided:
        new = [s for s in new if s.code != "same_name"] + [Signal("same_name", 0)]
    if not new:
        return None
    return "此前判定不是重复；此后出现：" + "、".join(s.text for s in new)


def apply_decisions(customer_id: int, matches: list[Match]) -> list[Match]:
    """Drop the candidates a person decided are not `customer_id`'s duplicates, unless new
    evidence appeared since (then they stay, saying why). A shared credit code always stays."""
    others = [m.customer_id for m in matches]
    if not others:
        return matches
    decisions = {
        pair(d.first_id, d.second_id): d
        for d in PairDecision.objects.filter(
            Q(first_id=customer_id, second_id__in=others)
            | Q(second_id=customer_id, first_id__in=others)
        )
    }
    kept = []
    for match in matches:
        decision = decisions.get(pair(customer_id, match.customer_id))
        if decision is not None and "same_uscc" not in match.assessment.codes:
            why = reraise_reason(decision, match.assessment)
            if why is None:
                continue
            match.reraised = why
        kept.append(match)
    return kept
