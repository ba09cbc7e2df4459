"""Whole-base duplicate scan.

1. Candidate pairs (blocking), from the DedupKey rows:
   - customers sharing an identifying key (credit code, mobile, email, name + mobile); a value
     on more than KEY_VALUE_CAP customers is a switchboard or an agency, not an identity;
   - customers with the same name core: all pairs of a small group, and of a large one (a 字号
     used in many cities) the pairs within each city;
   - name cores next to each other in two sorted orders, forward and reversed, within WINDOW
     places and with a name similarity of scoring.SIMILAR_AT or more: a typo anywhere leaves a
     long shared start in one of the two orders (sorted-neighbourhood blocking on two keys).
2. Every pair is assessed with all the evidence (scoring.assess, the customers' keys read in
   batches) and given the level the entry check would give it (matching.level_for): a pair
   that would be refused or need a reason (a shared identifying key under the key policy), or
   with a 相似度 of SCAN_THRESHOLD or more, links the two customers — unless a person decided
   they differ and nothing new speaks for them since (then it links once more, saying why).
   Related pairs (different credit codes, a branch) never link.
3. Linked customers form groups, strongest links first, never joining two groups into one that
   would hold two cities, two credit codes or two branches (union-find with these constraints:
   a record without a place must not chain 杭州 X and 成都 X together); a group's 相似度 is
   the lowest of its links. Older open groups are replaced by this scan's.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations, groupby
from typing import NamedTuple

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from rapidfuzz.distance import Indel

from kehu.customers.models import Customer
from kehu.dedup import selectors
from kehu.dedup.choices import EXACT_KINDS, GroupStatus, KeyKind, MatchLevel, ScanStatus
from kehu.dedup.matching import (
    level_for,
    load_profiles,
    pair,
    reraise_reason,
    shared_kinds,
)
from kehu.dedup.models import DedupKey, DuplicateGroup, PairDecision, ScanRun
from kehu.dedup.places import city_of, levels
from kehu.dedup.scoring import COMMON_KEY_HOLDERS, SIMILAR_AT, Assessment, assess

log = logging.getLogger(__name__)
# Link two customers from this 相似度: chosen from the quality bench (bench/dedup_truth.py) as
# the lowest threshold keeping the scan's precision at 0.98 (docs/DESIGN.md).
SCAN_THRESHOLD = 75
WINDOW = 8
KEY_VALUE_CAP = 50
CORE_CAP = 50
PAIR_BATCH = 10_000
LINKING = {MatchLevel.BLOCK, MatchLevel.CONFIRM, MatchLevel.WARN}
PROGRESS_EVERY = 50_000


class UnionFind:
    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _progress(run: ScanRun, done: int) -> None:
    ScanRun.objects.filter(pk=run.pk).update(processed=min(done, run.total))


def _key_pairs(pairs: set[tuple[int, int]]) -> frozenset[str]:
    """Pairs of customers sharing an identifying key (small groups only); returns the mobiles
    and emails so many customers give that they identify no one (scoring.COMMON_KEY_HOLDERS)."""
    common = set()
    for kind in EXACT_KINDS:
        shared = (
            DedupKey.objects.filter(kind=kind)
            .values("value")
            .annotate(n=Count("customer_id"))
            .filter(n__gt=1, n__lte=KEY_VALUE_CAP)
            .values_list("value", flat=True)
        )
        rows = (
            DedupKey.objects.filter(kind=kind, value__in=shared)
            .order_by("value")
            .values_list("value", "customer_id")
        )
        for value, group in groupby(rows.iterator(chunk_size=5000), key=lambda r: r[0]):
            ids = sorted({customer_id for _, customer_id in group})
            pairs.update(combinations(ids, 2))
            if len(ids) > COMMON_KEY_HOLDERS and kind in (KeyKind.PHONE, KeyKind.EMAIL):
                common.add(value)
        if kind in (KeyKind.PHONE, KeyKind.EMAIL):
            common |= set(
                DedupKey.objects.filter(kind=kind)
                .values("value")
                .annotate(n=Count("customer_id"))
                .filter(n__gt=KEY_VALUE_CAP)
                .values_list("value", flat=True)
            )
    return frozenset(common)


def _window_pairs(cores: list[tuple[str, int]], pairs: set[tuple[int, int]]) -> None:
    """Pairs of neighbours within WINDOW in `cores` (sorted) whose names are similar enough."""
    similar = Indel.normalized_similarity
    values = [v for v, _ in cores]
    ids = [i for _, i in cores]
    for offset in range(1, WINDOW + 1):
        for n, (a, b) in enumerate(zip(values, values[offset:], strict=False)):
            if a != b and similar(a, b, score_cutoff=SIMILAR_AT):
                pairs.add(pair(ids[n], ids[n + offset]))


def _same_core_pairs(cores: list[tuple[str, int]], pairs: set[tuple[int, int]]) -> None:
    """Pairs with the same core: all of a small group; of a large one (a 字号 in many cities),
    the pairs within each city."""
    for _, group in groupby(cores, key=lambda r: r[0]):
        ids = sorted({i for _, i in group})
        if len(ids) < 2:
            continue
        if len(ids) <= CORE_CAP:
            pairs.update(combinations(ids, 2))
            continue
        by_city: dict[str, list[int]] = defaultdict(list)
        for customer_id, profile in load_profiles(ids).items():
            by_city[levels(profile.place)[1]].append(customer_id)
        for city, members in by_city.items():
            if city and len(members) <= CORE_CAP:
                pairs.update(combinations(sorted(members), 2))


def _core_cities(cores: list[tuple[str, int]]) -> dict[str, frozenset[str]]:
    """The cities of the customers of each core that three or more customers have: how many
    places a 字号 + 行业 is registered in (scoring's common_name)."""
    holders = {}
    for core, group in groupby(cores, key=lambda r: r[0]):
        ids = [i for _, i in group]
        if len(ids) >= 3:
            holders[core] = ids
    ids = [i for members in holders.values() for i in members]
    city = {}
    for start in range(0, len(ids), PAIR_BATCH):
        rows = DedupKey.objects.filter(
            kind=KeyKind.PLACE, customer_id__in_ids=ids[start : start + PAIR_BATCH]
        ).values_list("customer_id", "value")
        city.update((i, city_of(value)) for i, value in rows)
    return {
        core: frozenset(city[i] for i in members if city.get(i))
        for core, members in holders.items()
    }


@dataclass
class Blocking:
    """What the first pass found: the pairs worth assessing, the mobiles and emails too common
    to identify anyone, and where each common core is in use."""

    pairs: set[tuple[int, int]]
    common: frozenset[str] = frozenset()
    core_cities: dict[str, frozenset[str]] = field(default_factory=dict)


def candidate_pairs(run: ScanRun) -> Blocking:
    pairs: set[tuple[int, int]] = set()
    common = _key_pairs(pairs)
    rows = DedupKey.objects.filter(kind=KeyKind.NAME).order_by("value", "customer_id")
    cores = list(rows.values_list("value", "customer_id").iterator(chunk_size=20_000))
    _progress(run, len(cores) // 4)
    _same_core_pairs(cores, pairs)
    _window_pairs(cores, pairs)
    core_cities = _core_cities(cores)
    _progress(run, len(cores) // 2)
    cores.sort(key=lambda r: r[0][::-1])
    _window_pairs(cores, pairs)
    return Blocking(pairs, common, core_cities)


def _decisions() -> dict[tuple[int, int], list[str]]:
    rows = PairDecision.objects.values_list("first_id", "second_id", "signals")
    return {(a, b): signals for a, b, signals in rows.iterator(chunk_size=10_000)}


class Link(NamedTuple):
    """Two customers the scan links, how alike they are, and why again (a decision that new
    evidence overrode). `identity_a`/`_b`: what no group may hold two of (city, credit code,
    branch) — so that a record without a place cannot chain 杭州 X and 成都 X together."""

    a: int
    b: int
    assessment: Assessment
    level: str  # matching.MatchLevel: block (a shared identifying key) or warn (the score)
    why: str
    identity_a: tuple[str, str, str]
    identity_b: tuple[str, str, str]


def _identity(profile) -> tuple[str, str, str]:
    return (city_of(profile.place), profile.uscc, profile.branch)


def _constraints(identity: tuple[str, str, str]) -> list[set[str]]:
    """A customer's identity as sets to join: an unknown city or credit code is no value, a
    head office (branch '') is one."""
    city, uscc, branch = identity
    return [{city} - {""}, {uscc} - {""}, {branch}]


def linked_pairs(run: ScanRun, blocking: Blocking, threshold: int = SCAN_THRESHOLD) -> list[Link]:
    """The pairs that link two customers: those the entry check would refuse or ask a reason
    for (a shared identifying key, under the key policy), and those with a 相似度 from
    `threshold`. Pairs are assessed PAIR_BATCH at a time, their customers' keys read for each
    batch."""
    decisions = _decisions()
    policy = selectors.policy()
    ordered = sorted(blocking.pairs)
    none = frozenset()
    linked = []
    for start in range(0, len(ordered), PAIR_BATCH):
        batch = ordered[start : start + PAIR_BATCH]
        profiles = load_profiles({i for p in batch for i in p})
        for a, b in batch:
            pa, pb = profiles[a], profiles[b]
            cities = blocking.core_cities.get(pa.core, none) if pa.core == pb.core else none
            assessment = assess(pa, pb, blocking.common, cities)
            shared = shared_kinds(pa, pb, blocking.common)
            level = level_for(assessment, shared, policy, threshold)
            if level not in LINKING:
                continue
            why = ""
            if (a, b) in decisions and "same_uscc" not in assessment.codes:
                why = reraise_reason({"signals": decisions[(a, b)]}, assessment)
                if why is None:
                    continue
            linked.append(Link(a, b, assessment, level, why, _identity(pa), _identity(pb)))
        _progress(run, run.total // 2 + (start + len(batch)) * run.total // (2 * len(ordered)))
    return linked


def groups_of(links: list[Link]) -> list[tuple[list[int], int, list[str]]]:
    """(member ids, 相似度 = the lowest link's, reasons) of linked customers. Links join
    groups strongest first, and never into a group that would hold two cities, two credit codes
    or two branches: those are different companies, whatever links them one by one."""
    uf = UnionFind()
    identity: dict[int, list[set[str]]] = {}
    kept: list[Link] = []
    for link in sorted(links, key=lambda x: (-x.assessment.score, x.a, x.b)):
        ra, rb = uf.find(link.a), uf.find(link.b)
        if ra != rb:
            ia = identity.get(ra) or _constraints(link.identity_a)
            ib = identity.get(rb) or _constraints(link.identity_b)
            joined = [x | y for x, y in zip(ia, ib, strict=True)]
            if any(len(values) > 1 for values in joined):
                continue
            uf.union(link.a, link.b)
            identity[uf.find(link.a)] = joined
        kept.append(link)
    members: dict[int, set[int]] = defaultdict(set)
    score: dict[int, int] = {}
    reasons: dict[int, list[str]] = defaultdict(list)
    for link in kept:
        root = uf.find(link.a)
        members[root] |= {link.a, link.b}
        score[root] = min(score.get(root, 100), link.assessment.score)
        for text in ([link.why] if link.why else []) + link.assessment.reasons:
            if text not in reasons[root]:
                reasons[root].append(text)
    return [(sorted(ids), score[root], reasons[root]) for root, ids in members.items()]


def _save_groups(run: ScanRun, found: list[tuple[list[int], int, list[str]]]) -> int:
    through = DuplicateGroup.customers.through
    with transaction.atomic():
        DuplicateGroup.objects.filter(status=GroupStatus.OPEN).exclude(scan=run).delete()
        groups = DuplicateGroup.objects.bulk_create(
            [DuplicateGroup(scan=run, score=score, reasons=reasons) for _, score, reasons in found],
            batch_size=5000,
        )
        through.objects.bulk_create(
            [
                through(duplicategroup_id=g.pk, customer_id=cid)
                for g, (ids, _, _) in zip(groups, found, strict=True)
                for cid in ids
            ],
            batch_size=5000,
        )
    return len(groups)


def scan_execute(run_id: int) -> ScanRun:
    run = ScanRun.objects.get(pk=run_id)
    run.status, run.total = ScanStatus.RUNNING, Customer.objects.count()
    run.save(update_fields=["status", "total"])
    try:
        blocking = candidate_pairs(run)
        run.groups_found = _save_groups(run, groups_of(linked_pairs(run, blocking)))
        run.status, run.processed = ScanStatus.DONE, run.total
    except Exception as exc:
        log.exception("duplicate scan %s failed", run_id)
        run.status, run.error = ScanStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "processed", "groups_found", "error", "finished_at"])
    return run
