"""Whole-base duplicate scan: block on keys, then compare names within blocks.

1. Exact keys (credit code, phone, email, name + phone) shared by several customers link them
   with confidence 1.0; an identical name core links with 0.95.
2. Name cores are read in index order and blocked on their first two characters; within a
   block, rapidfuzz scores every pair (a sliding window past BLOCK_CAP names) and a score of
   SIMILAR_CUTOFF or more links two customers with confidence score × 0.9.
3. Linked customers form groups (union-find). Groups a person already dismissed are not raised
   again; older open groups are replaced by this scan's.
"""

import logging
from collections import defaultdict
from itertools import groupby

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from rapidfuzz import fuzz
from rapidfuzz.process import extract

from kehu.customers.models import Customer
from kehu.dedup.choices import EXACT_KINDS, GroupStatus, KeyKind, ScanStatus
from kehu.dedup.models import DedupKey, DuplicateGroup, ScanRun
from kehu.dedup.selectors import REASONS

log = logging.getLogger(__name__)
SIMILAR_CUTOFF = 90
BLOCK_CAP = 400
WINDOW = 30
PROGRESS_EVERY = 20_000
KEY_VALUE_CAP = 50  # a phone on more than this many customers is a switchboard, not an identity


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


class Links:
    """Evidence between customers: the union-find plus, per customer, its best link."""

    def __init__(self):
        self.uf = UnionFind()
        self.best: dict[int, float] = defaultdict(float)
        self.reasons: dict[int, set[str]] = defaultdict(set)

    def link(self, ids: list[int], confidence: float, reason: str) -> None:
        for other in ids[1:]:
            self.uf.union(ids[0], other)
        for i in ids:
            self.best[i] = max(self.best[i], confidence)
            self.reasons[i].add(reason)

    def groups(self) -> list[tuple[list[int], float, list[str]]]:
        members: dict[int, list[int]] = defaultdict(list)
        for customer_id in list(self.uf.parent):
            members[self.uf.find(customer_id)].append(customer_id)
        out = []
        for ids in members.values():
            if len(ids) >= 2:
                confidence = min(self.best[i] for i in ids)
                reasons = sorted({r for i in ids for r in self.reasons[i]})
                out.append((sorted(ids), round(confidence, 3), reasons))
        return out


def _exact_links(links: Links) -> None:
    for kind in [*EXACT_KINDS, KeyKind.NAME]:
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
        confidence = 1.0 if kind in EXACT_KINDS else 0.95
        for _, group in groupby(rows.iterator(chunk_size=5000), key=lambda r: r[0]):
            links.link([customer_id for _, customer_id in group], confidence, REASONS[kind][1])


def _compare_block(links: Links, block: list[tuple[str, int]]) -> None:
    if len(block) < 2:
        return
    names = [v for v, _ in block]
    if len(block) <= BLOCK_CAP:
        for i in range(len(block) - 1):
            later = names[i + 1 :]
            for value, score, j in extract(
                names[i], later, scorer=fuzz.ratio, score_cutoff=SIMILAR_CUTOFF, limit=None
            ):
                other = block[i + 1 + j][1]
                # Identical cores were linked by the exact pass already.
                if other != block[i][1] and value != names[i]:
                    links.link([block[i][1], other], score / 100 * 0.9, "名称相似")
        return
    for i in range(len(block)):  # sorted neighbourhood: compare with the next WINDOW names
        for j in range(i + 1, min(i + 1 + WINDOW, len(block))):
            score = fuzz.ratio(names[i], names[j], score_cutoff=SIMILAR_CUTOFF)
            if score and block[i][1] != block[j][1] and names[i] != names[j]:
                links.link([block[i][1], block[j][1]], score / 100 * 0.9, "名称相似")


def _fuzzy_links(links: Links, run: ScanRun) -> None:
    rows = (
        DedupKey.objects.filter(kind=KeyKind.NAME)
        .order_by("value")
        .values_list("value", "customer_id")
    )
    block: list[tuple[str, int]] = []
    for seen, (value, customer_id) in enumerate(rows.iterator(chunk_size=10_000), start=1):
        if block and block[0][0][:2] != value[:2]:
            _compare_block(links, block)
            block = []
        block.append((value, customer_id))
        if seen % PROGRESS_EVERY == 0:
            ScanRun.objects.filter(pk=run.pk).update(processed=min(seen, run.total))
    _compare_block(links, block)


def _save_groups(run: ScanRun, found: list[tuple[list[int], float, list[str]]]) -> int:
    through = DuplicateGroup.customers.through
    dismissed_members: dict[int, set[int]] = defaultdict(set)
    rows = through.objects.filter(duplicategroup__status=GroupStatus.DISMISSED).values_list(
        "duplicategroup_id", "customer_id"
    )
    for group_id, customer_id in rows.iterator(chunk_size=10_000):
        dismissed_members[group_id].add(customer_id)
    dismissed = {frozenset(ids) for ids in dismissed_members.values()}
    found = [g for g in found if frozenset(g[0]) not in dismissed]
    with transaction.atomic():
        DuplicateGroup.objects.filter(status=GroupStatus.OPEN).exclude(scan=run).delete()
        groups = DuplicateGroup.objects.bulk_create(
            [
                DuplicateGroup(scan=run, confidence=conf, reasons=reasons)
                for _, conf, reasons in found
            ]
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
        links = Links()
        _exact_links(links)
        _fuzzy_links(links, run)
        run.groups_found = _save_groups(run, links.groups())
        run.status, run.processed = ScanStatus.DONE, run.total
    except Exception as exc:
        log.exception("duplicate scan %s failed", run_id)
        run.status, run.error = ScanStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "processed", "groups_found", "error", "finished_at"])
    return run
