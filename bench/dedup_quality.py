"""Quality and speed of duplicate detection (查重) on a generated base with known duplicates.

    .venv/bin/python -m bench.dedup_quality --n 20000 --db sqlite|postgres [--seed 7]

1. Builds a fresh database (bench/data/kehu_dedup_bench.sqlite3, or kehu_dedup_bench on the
   bench PostgreSQL server) and migrates it.
2. Generates `n` distinct customers through bulk inserts (COPY on PostgreSQL) with their identity keys
   (kehu.dedup.keys.keys_for): companies named as on a licence — region prefix + distinctive
   core (字号) + industry word + legal form — and some individuals (common names, own mobiles).
   Distinct companies have distinct cores: no two differ by a single character.
3. Injects known duplicates (~5 %): legal-form variants (有限公司 ↔ 有限责任公司 ↔ 股份有限公司),
   an added or removed city/province prefix, spaces, full-width characters, bracketed branch
   names, the same mobile under another name, the same individual entered again; and, reported
   apart because no target covers them, one-character typos.
4. Runs kehu.dedup.scan.scan_execute (progress printed), and scores its groups pairwise
   against the truth: precision and recall, overall and per kind of variant.
5. Times kehu.dedup.selectors.duplicate_check (median and p95 over 200 lookups, as a rep).

Targets (the issue): recall ≥ 0.95 at precision ≥ 0.98; check median ≤ 10 ms.

From other code, `run(n, db) -> dict` returns the figures; when Django is already set up for
another database (the bench runner), it runs this module in a subprocess.
"""

import argparse
import csv
import gc
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench import config, vocab

DB_NAME = "kehu_dedup_bench"
TARGET_RECALL = 0.95
TARGET_PRECISION = 0.98
TARGET_CHECK_MS = 10.0
DUPLICATE_RATE = 0.05
INDIVIDUAL_SHARE = 0.10
LATIN_CORE_SHARE = 0.04
CHECK_LOOKUPS = 200
BATCH = 5000

# Variants the targets are about; "typo" is measured and shown, not held to the target.
TARGET_VARIANTS = (
    "legal_form",
    "prefix",
    "spaces",
    "full_width",
    "branch",
    "same_phone",
    "person_again",
)
VARIANT_WEIGHTS = {
    "legal_form": 22,
    "prefix": 20,
    "spaces": 12,
    "full_width": 10,
    "branch": 12,
    "same_phone": 14,
    "person_again": 6,
    "typo": 4,
}
LEGAL_FORMS = ["有限公司", "有限责任公司", "股份有限公司"]
OTHER_FORMS = ["集团有限公司", "工作室", "商行", "厂"]
FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"}


# --- where the database is ---------------------------------------------------------------------


def _database_url(db: str, name: str = DB_NAME) -> str:
    if db == "sqlite":
        return f"sqlite:///{config.DATA_DIR / f'{name}.sqlite3'}"
    if db == "postgres":
        return f"{config.PG_BASE}/{name}"
    raise ValueError(f"unknown database {db!r}: sqlite or postgres")


def fresh_database(db: str, name: str = DB_NAME) -> None:
    """An empty database `name` (bench/data/<name>.sqlite3, or <name> on the bench PostgreSQL
    server), with Django set up for it and migrated."""
    config.DATA_DIR.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{config.DATA_DIR / f'{name}.sqlite3'}{suffix}").unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(f"{config.PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(config.server_env("dedup", db))
    os.environ["DATABASE_URL"] = _database_url(db, name)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# --- names ---------------------------------------------------------------------------------------


def _places() -> list[tuple[str, str, str]]:
    """(province, city, province as written in full) of every prefecture-level city:
    (浙江, 杭州, 浙江省), (广西, 南宁, 广西壮族自治区)."""
    path = Path(__file__).resolve().parent.parent / "kehu" / "refdata" / "data" / "regions.csv"
    with path.open(encoding="utf-8") as rows:
        regions = list(csv.DictReader(rows))
    names = {r["code"]: r["name"] for r in regions}
    out = []
    for r in regions:
        if r["level"] != "2" or not r["name"].endswith("市"):
            continue
        province = full = names[r["parent_code"]]
        for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"):
            province = province.removesuffix(suffix)
        out.append((province, r["name"].removesuffix("市"), full))
    return out


@dataclass
class Company:
    core: str  # 字号
    industry: str
    form: str
    prefix: str  # as written before the core, "" for none
    province: str  # short (浙江, 广西)
    city: str  # short (杭州)
    province_full: str = ""  # 浙江省, 广西壮族自治区

    @property
    def name(self) -> str:
        return f"{self.prefix}{self.core}{self.industry}{self.form}"


@dataclass
class Record:
    entity: int
    kind: str
    name: str
    uscc: str = ""
    mobile: str = ""  # an individual's own
    contacts: list[tuple[str, str, str]] = field(default_factory=list)  # (name, mobile, email)
    variant: str = ""  # "" for the original record


class Generator:
    def __init__(self, seed: int):
        self.rnd = random.Random(seed)
        self.places = _places()
        self.cores: set[str] = set()
        self.blocks: dict[str, list[str]] = defaultdict(list)
        self.mobiles = self._unique_mobiles()
        self.serial = itertools.count(1)

    def _unique_mobiles(self):
        """Mobiles never handed out twice: the i-th is prefix i mod P with number i × a prime
        stride mod 10^8 (the stride is coprime to 10^8, so numbers repeat only after 10^8)."""
        prefixes = vocab.MOBILE_PREFIXES
        offset = self.rnd.randrange(10**8)
        for i in itertools.count():
            yield f"{prefixes[i % len(prefixes)]}{(offset + i * 48_271) % 10**8:08d}"

    def mobile(self) -> str:
        return next(self.mobiles)

    def uscc(self) -> str:
        from stdnum.cn import uscc as stdnum_uscc

        n = next(self.serial)
        first17 = f"9133{n:013d}"
        return first17 + stdnum_uscc.calc_check_digit(first17)

    def _core(self) -> str:
        rnd = self.rnd
        if rnd.random() < LATIN_CORE_SHARE:
            letters = "".join(
                rnd.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(rnd.choice((2, 3, 4)))
            )
            return letters if rnd.random() < 0.5 else letters + rnd.choice(vocab.CORE_CHARS)
        length = rnd.choices((2, 3, 4), weights=(3, 5, 2))[0]
        return "".join(rnd.choice(vocab.CORE_CHARS) for _ in range(length))

    def company(self) -> Company:
        """A company whose name core is new and differs from every other core in its block by
        more than one character (distinct companies really are distinct)."""
        from kehu.customers.normalize import name_core

        rnd = self.rnd
        while True:
            core = self._core()
            industry = rnd.choice(vocab.INDUSTRY_WORDS)[0]
            expected = (core + industry).lower()
            if core.lower() in self.cores or name_core(core + industry + "有限公司") != expected:
                continue  # taken, or the core itself reads as a place name / legal form
            if not self._free(expected):
                continue
            province, city, province_full = rnd.choice(self.places)
            prefix = rnd.choices(
                ["", city, f"{city}市", province, f"{province}{city}", f"{province_full}{city}市"],
                weights=(35, 30, 15, 8, 6, 6),
            )[0]
            form = rnd.choices([*LEGAL_FORMS, *OTHER_FORMS], weights=(62, 14, 10, 4, 4, 3, 3))[0]
            company = Company(core, industry, form, prefix, province, city, province_full)
            if name_core(company.name) != expected:
                continue  # e.g. a core that starts like a district (…区) behind a prefix
            self.cores.add(core.lower())
            self.blocks[expected[:2]].append(expected)
            return company

    def _free(self, text: str, own: str = "") -> bool:
        """No other company's name core is within one character of `text` (its own aside)."""
        from rapidfuzz.distance import Levenshtein

        return not any(
            other != own and Levenshtein.distance(text, other, score_cutoff=1) <= 1
            for other in self.blocks[text[:2]]
        )

    def _claim(self, variants: list[str], company: "Company") -> str:
        """The first name whose core keeps clear of other companies (a duplicate must not
        happen to look like a different company), registered so later ones keep clear of it."""
        from kehu.customers.normalize import name_core

        own = (company.core + company.industry).lower()
        for name in variants:
            core = name_core(name)
            if core == own or self._free(core, own):
                if core != own:
                    self.blocks[core[:2]].append(core)
                return name
        return ""

    def person_name(self) -> str:
        rnd = self.rnd
        surname = rnd.choice(vocab.SURNAMES)
        given = "".join(rnd.choice(vocab.GIVEN_CHARS) for _ in range(rnd.choice((1, 2, 2))))
        return surname + given

    def contact(self) -> tuple[str, str, str]:
        mobile = self.mobile()
        return (self.person_name(), mobile, f"u{mobile}@example.com")

    # --- variants of a record ----------------------------------------------------------------

    def company_variant(self, company: Company, variant: str) -> tuple[str, bool]:
        """(the name as entered again, whether it shares the original's phone)."""
        rnd = self.rnd
        c = company
        if variant == "legal_form":
            form = rnd.choice([f for f in LEGAL_FORMS if f != c.form])
            return f"{c.prefix}{c.core}{c.industry}{form}", False
        if variant == "prefix":
            if c.prefix:
                return f"{c.core}{c.industry}{c.form}", False
            prefix = rnd.choice([c.city, f"{c.city}市", f"{c.province}{c.city}", c.province])
            return f"{prefix}{c.core}{c.industry}{c.form}", False
        if variant == "spaces":
            text = c.name
            cut = sorted(rnd.sample(range(1, len(text)), k=min(2, len(text) - 1)))
            spaced = text[: cut[0]] + " " + text[cut[0] : cut[-1]] + "  " + text[cut[-1] :]
            return " " + spaced + " ", False
        if variant == "full_width":
            name = f"{c.prefix}{c.core} {c.industry}（{c.city}）{c.form}"
            return "".join(FULL_WIDTH.get(ch, ch) for ch in name), False
        if variant == "branch":
            written = [f"（{c.city}分公司）", f"({c.city}分公司)", f"【{c.city}】"]
            if c.form.endswith("公司"):
                written.append(f"{c.city}分公司")  # a branch's own licence name
            elif c.form == "厂":
                written.append(f"{c.city}分厂")
            branch = rnd.choice(written)
            if branch.startswith("【"):
                return f"{branch}{c.core}{c.industry}{c.form}", False
            return f"{c.core}{c.industry}{c.form}{branch}", False
        if variant == "same_phone":
            # Entered under a trading name: another industry word, the same buyer's mobile.
            others = [w for w, _ in vocab.INDUSTRY_WORDS if w != c.industry]
            names = [f"{c.core}{w}{rnd.choice(LEGAL_FORMS)}" for w in rnd.sample(others, 10)]
            return self._claim(names, c), True
        if variant == "typo":
            text = c.core + c.industry
            names = []
            for _ in range(10):
                i = rnd.randrange(1, len(text))
                names.append(
                    f"{c.prefix}{text[:i]}{rnd.choice(vocab.CORE_CHARS)}{text[i:]}{c.form}"
                )
            return self._claim(names, c), False
        raise ValueError(variant)


def generate(n: int, seed: int) -> tuple[list[Record], Counter]:
    """`n` distinct customers plus ~5 % injected duplicates, in a shuffled order."""
    gen = Generator(seed)
    rnd = gen.rnd
    records: list[Record] = []
    companies: dict[int, Company] = {}
    for entity in range(n):
        if rnd.random() < INDIVIDUAL_SHARE:
            mobile = gen.mobile()
            records.append(Record(entity, "individual", gen.person_name(), mobile=mobile))
            continue
        company = gen.company()
        companies[entity] = company
        contacts = [gen.contact() for _ in range(rnd.choice((1, 1, 2)))]
        records.append(Record(entity, "enterprise", company.name, gen.uscc(), contacts=contacts))
        if entity and entity % 100_000 == 0:
            print(f"  generated {entity:,} customers", flush=True)

    variants = list(VARIANT_WEIGHTS)
    weights = list(VARIANT_WEIGHTS.values())
    injected: Counter = Counter()
    originals = records[:]
    for original in rnd.sample(originals, k=int(n * DUPLICATE_RATE)):
        if original.kind == "individual":
            variant = "person_again"
            name = original.name if rnd.random() < 0.5 else " ".join(original.name)
            dup = Record(original.entity, "individual", name, mobile=original.mobile)
        else:
            variant = rnd.choices(variants, weights=weights)[0]
            while variant == "person_again":
                variant = rnd.choices(variants, weights=weights)[0]
            name, same_phone = gen.company_variant(companies[original.entity], variant)
            if not name:
                continue  # no variant of this kind keeps clear of the other companies
            if same_phone:
                buyer = original.contacts[0]
                contacts = [(buyer[0], buyer[1], f"buyer{buyer[1]}@example.cn")]
            else:
                contacts = [gen.contact()]  # another rep entered another person there
            # Entered again without the credit code: the name and phones must find it.
            dup = Record(original.entity, "enterprise", name, "", contacts=contacts)
        dup.variant = variant
        injected[variant] += 1
        records.append(dup)
    rnd.shuffle(records)
    return records, injected


# --- loading ----------------------------------------------------------------------------------


def make_owners(count: int = 10):
    from kehu.accounts import services as accounts
    from kehu.accounts.choices import RoleCode
    from kehu.accounts.models import Role

    dept = accounts.department_create(name="查重测试部", parent=None, actor=None)
    rep_role = Role.objects.get(code=RoleCode.SALES_REP)
    return [
        accounts.user_create(
            username=f"dedup.rep{i}",
            password=None,
            actor=None,
            department=dept,
            roles=[rep_role],
            manager=None,
            display_name=f"查重{i}号",
        )
        for i in range(count)
    ]


def _defaults(model) -> dict[str, object]:
    """Every column's default as the database takes it (JSON as text, aware datetimes…)."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    out = {}
    for f in model._meta.concrete_fields:
        value = f.get_default()
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        out[f.column] = f.get_db_prep_save(value, connection)
    return out


def load(records: list[Record], owners) -> list[int]:
    """Insert customers, contacts and their identity keys (kehu.dedup.keys.keys_for) in large
    batches through the bench's bulk loader (COPY / executemany), with the tables' secondary
    indexes dropped during the load and built after, as bench.generate does — the ORM's
    per-object cost, or a dozen indexes kept up to date row by row, would dominate at a
    million rows. Returns the customer ids, in the order of `records`."""
    from types import SimpleNamespace

    from django.db import connections

    from bench.loaders import loader_for
    from kehu.customers.models import Contact, Customer
    from kehu.dedup.keys import keys_for
    from kehu.dedup.models import DedupKey

    customer_defaults, contact_defaults = _defaults(Customer), _defaults(Contact)
    customer_columns = list(customer_defaults)
    contact_columns = list(contact_defaults)
    key_columns = ["customer_id", "kind", "value"]
    tables = [Customer._meta.db_table, Contact._meta.db_table, DedupKey._meta.db_table]
    connections.close_all()
    loader = loader_for(os.environ["DATABASE_URL"])
    loader.suspend_indexes(tables)
    ids = list(range(1, len(records) + 1))
    contact_id = itertools.count(1)
    started = time.monotonic()
    for start in range(0, len(records), BATCH):
        customers, contacts, keys = [], [], []
        for i, r in enumerate(records[start : start + BATCH], start=start):
            pk = ids[i]
            values = {
                "id": pk,
                "number": f"Q{pk:09d}",
                "kind": r.kind,
                "name": r.name,
                "uscc": r.uscc,
                "mobile": r.mobile,
                "owner_id": owners[i % len(owners)].pk,
                "region_id": getattr(r, "region_id", None),
                "switchboard": getattr(r, "switchboard", ""),
            }
            customers.append(tuple(values.get(c, customer_defaults[c]) for c in customer_columns))
            people = []
            for j, (name, mobile, email) in enumerate(r.contacts):
                person = {"id": next(contact_id), "customer_id": pk, "name": name,
                          "mobile": mobile, "email": email, "is_primary": j == 0}  # fmt: skip
                contacts.append(tuple(person.get(c, contact_defaults[c]) for c in contact_columns))
                people.append(SimpleNamespace(mobile=mobile, email=email))
            customer = SimpleNamespace(kind=r.kind, name=r.name, uscc=r.uscc, mobile=r.mobile,
                                       email="", region_id=getattr(r, "region_id", None))  # fmt: skip
            keys.extend((pk, kind, value) for kind, value in keys_for(customer, people))
        loader.copy(Customer._meta.db_table, customer_columns, customers)
        loader.copy(Contact._meta.db_table, contact_columns, contacts)
        loader.copy(DedupKey._meta.db_table, key_columns, keys)
        done = start + len(customers)
        if done % 100_000 < BATCH or done == len(records):
            print(f"  loaded {done:,} / {len(records):,} ({time.monotonic() - started:.0f} s)",
                  flush=True)  # fmt: skip
    print("  building indexes", flush=True)
    loader.restore_indexes()
    loader.finish()  # sequences past the loaded ids, ANALYZE
    return ids


# --- measuring ----------------------------------------------------------------------------------


def _pairs(groups: list[list[int]]) -> set[tuple[int, int]]:
    return {(a, b) for ids in groups for a, b in itertools.combinations(sorted(ids), 2)}


def scan() -> tuple[object, float]:
    from django.db import connection

    from kehu.dedup.models import ScanRun
    from kehu.dedup.scan import scan_execute

    run = ScanRun.objects.create()
    stop = threading.Event()

    def progress():
        while not stop.wait(2.0):
            current = ScanRun.objects.filter(pk=run.pk).values("status", "processed", "total")[0]
            print(f"  scan {current['status']}: {current['processed']:,} / {current['total']:,}",
                  flush=True)  # fmt: skip
        connection.close()

    watcher = threading.Thread(target=progress, daemon=True)
    started = time.monotonic()
    watcher.start()
    try:
        run = scan_execute(run.pk)
    finally:
        stop.set()
        watcher.join()
    return run, time.monotonic() - started


def score(records: list[Record], ids: list[int], run) -> dict:
    from kehu.dedup.models import DuplicateGroup

    entity_of = {cid: r.entity for cid, r in zip(ids, records, strict=True)}
    variant_of = {cid: r.variant for cid, r in zip(ids, records, strict=True)}
    members = defaultdict(list)
    for cid, entity in entity_of.items():
        members[entity].append(cid)
    truth = _pairs([m for m in members.values() if len(m) > 1])

    through = DuplicateGroup.customers.through
    grouped = defaultdict(list)
    rows = through.objects.filter(duplicategroup__scan=run).values_list(
        "duplicategroup_id", "customer_id"
    )
    for group_id, customer_id in rows.iterator(chunk_size=10_000):
        grouped[group_id].append(customer_id)
    found = _pairs(list(grouped.values()))

    def pair_variant(pair):
        return variant_of[pair[0]] or variant_of[pair[1]]

    in_target = {p for p in truth if pair_variant(p) in TARGET_VARIANTS}
    true_found = found & truth
    # Precision over all found pairs; a found pair of a typo duplicate is right, not wrong.
    precision = len(true_found) / len(found) if found else 1.0
    recall = len(found & in_target) / len(in_target) if in_target else 1.0
    by_variant = {}
    for variant in VARIANT_WEIGHTS:
        pairs = {p for p in truth if pair_variant(p) == variant}
        if pairs:
            by_variant[variant] = round(len(pairs & found) / len(pairs), 4)
    wrong = sorted(found - truth)[:5]
    return {
        "truth_pairs": len(truth),
        "target_pairs": len(in_target),
        "found_pairs": len(found),
        "true_pairs_found": len(true_found),
        "groups": len(grouped),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "recall_all_variants": round(len(true_found) / len(truth), 4) if truth else 1.0,
        "recall_by_variant": by_variant,
        "false_pair_examples": [
            [records[ids.index(a)].name, records[ids.index(b)].name] for a, b in wrong
        ],
    }


def time_checks(records: list[Record], owner, seed: int) -> dict:
    """duplicate_check as a rep types: half spellings of existing companies, half new ones."""
    from kehu.dedup.selectors import duplicate_check

    rnd = random.Random(seed + 1)
    gen = Generator(seed + 2)
    enterprises = [r for r in records if r.kind == "enterprise"]
    lookups = []
    for i in range(CHECK_LOOKUPS):
        if i % 2:
            r = rnd.choice(enterprises)
            mobiles = [r.contacts[0][1]] if r.contacts and rnd.random() < 0.5 else []
            lookups.append(dict(kind="enterprise", name=r.name + " ", uscc=r.uscc, mobiles=mobiles))
        else:
            company = gen.company()
            lookups.append(
                dict(kind="enterprise", name=company.name, uscc=gen.uscc(), mobiles=[gen.mobile()])
            )
    for lookup in lookups[:10]:  # warm caches (scope, connections)
        duplicate_check(user=owner, **lookup)
    # A server process does not hold the bench's million records: keep them out of the
    # garbage collector's way while timing.
    gc.collect()
    gc.freeze()
    times = []
    found = 0
    for lookup in lookups:
        t0 = time.perf_counter()
        candidates = duplicate_check(user=owner, **lookup)
        times.append((time.perf_counter() - t0) * 1000)
        found += bool(candidates)
    times.sort()
    return {
        "lookups": len(times),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "max_ms": round(times[-1], 2),
        "with_candidates": found,
    }


# --- the run ------------------------------------------------------------------------------------


def _in_process(n: int, db: str, seed: int) -> dict:
    started = time.monotonic()
    fresh_database(db)
    print(f"dedup quality: n={n:,} on {db} (fresh database {DB_NAME})", flush=True)

    t0 = time.monotonic()
    records, injected = generate(n, seed)
    generate_s = time.monotonic() - t0
    owners = make_owners()
    t0 = time.monotonic()
    ids = load(records, owners)
    load_s = time.monotonic() - t0
    print(f"  {len(records):,} customers ({sum(injected.values()):,} injected duplicates: "
          f"{dict(injected)}) generated in {generate_s:.1f} s, loaded in {load_s:.1f} s",
          flush=True)  # fmt: skip

    run, scan_s = scan()
    if run.status != "done":
        raise SystemExit(f"scan failed: {run.error}")
    quality = score(records, ids, run)
    check = time_checks(records, owners[0], seed)
    return {
        "n": n,
        "db": db,
        "seed": seed,
        "customers": len(records),
        "injected": dict(injected),
        "scan_seconds": round(scan_s, 2),
        "scan_groups": run.groups_found,
        **quality,
        "check": check,
        "targets": {
            "recall": TARGET_RECALL,
            "precision": TARGET_PRECISION,
            "check_median_ms": TARGET_CHECK_MS,
        },
        "met": {
            "recall": quality["recall"] >= TARGET_RECALL,
            "precision": quality["precision"] >= TARGET_PRECISION,
            "check_median": check["median_ms"] <= TARGET_CHECK_MS,
        },
        "total_seconds": round(time.monotonic() - started, 1),
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }


def run(n: int = 20_000, db: str = "sqlite", seed: int = 7) -> dict:
    """The figures as a dict. In a process whose Django already points elsewhere (bench.run),
    the measurement runs in a child process with its own database."""
    from django.conf import settings

    if not settings.configured:
        return _in_process(n, db, seed)
    return in_child_process("bench.dedup_quality", ["--n", str(n), "--db", db, "--seed", str(seed)])


def in_child_process(module: str, args: list[str]) -> dict:
    """Run `python -m module args --json-out …` (Django set up for its own database) and
    return the figures it wrote."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
        subprocess.run(
            [sys.executable, "-m", module, *args, "--json-out", str(out)],
            check=False,  # exit status 1 means a target was missed: the figures still count
            env=env,
            cwd=config.ROOT,
        )
        if not out.exists():
            raise RuntimeError(f"{module} failed; see its output above")
        return json.loads(out.read_text(encoding="utf-8"))


def report(figures: dict) -> str:
    def mark(ok: bool) -> str:
        return "OK" if ok else "MISSED"

    check = figures["check"]
    lines = [
        f"Duplicate detection, n={figures['n']:,} distinct customers + "
        f"{sum(figures['injected'].values()):,} injected duplicates ({figures['db']}, "
        f"load average {' / '.join(map(str, figures['load_average']))})",
        f"  scan: {figures['scan_seconds']:.1f} s for {figures['customers']:,} customers, "
        f"{figures['scan_groups']:,} groups, {figures['found_pairs']:,} pairs "
        f"({figures['true_pairs_found']:,} true of {figures['truth_pairs']:,})",
        f"  precision {figures['precision']:.4f}   target ≥ {TARGET_PRECISION}   "
        f"{mark(figures['met']['precision'])}",
        f"  recall    {figures['recall']:.4f}   target ≥ {TARGET_RECALL}   "
        f"{mark(figures['met']['recall'])}   (all variants incl. typos: "
        f"{figures['recall_all_variants']:.4f})",
        "  recall by variant: "
        + ", ".join(f"{k} {v:.3f}" for k, v in figures["recall_by_variant"].items()),
        f"  duplicate_check: median {check['median_ms']:.2f} ms, p95 {check['p95_ms']:.2f} ms, "
        f"max {check['max_ms']:.2f} ms over {check['lookups']} lookups   "
        f"target median ≤ {TARGET_CHECK_MS:.0f} ms   {mark(figures['met']['check_median'])}",
    ]
    if figures["false_pair_examples"]:
        lines.append("  wrong pairs, e.g.: " + "; ".join(
            " = ".join(pair) for pair in figures["false_pair_examples"]))  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Duplicate detection quality and speed")
    parser.add_argument("--n", type=int, default=20_000, help="distinct customers")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json-out", help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    figures = _in_process(args.n, args.db, args.seed)
    print(report(figures))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, ensure_ascii=False), encoding="utf-8")
    return 0 if all(figures["met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
