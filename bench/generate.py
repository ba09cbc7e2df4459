"""Generate a bench database: a seeded, realistic Chinese company at a chosen scale.

    python -m bench.generate --scale small --db sqlite [--force]

The work is a list of steps (`STEPS`); each fills its tables through a bulk `Loader` (COPY on
PostgreSQL, executemany on SQLite) with secondary indexes dropped during the load. Modules that
arrive later (follow-ups, tasks, opportunities, orders, payments, tickets) add their own step to
the list: a step receives the `Context`, which holds the organisation and, per customer, its
owner and creation time, so follow-ups and orders can hang off realistic customers.

A finished database carries a `bench_marker` table (scale, generator version, search-term
signature); `ensure()` reuses a database whose marker matches and only migrates it.
"""

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import random
import time
from array import array
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice

from bench import config, vocab

# Bump when the generated rows change (not needed for app migrations: they are applied).
GENERATOR_VERSION = "2"  # 2: search terms carry their owner
SEED = 20240515
BATCH = 10_000
WORKERS = 2
MARKER_TABLE = "bench_marker"


@dataclass
class Context:
    scale: config.Scale
    seed: int
    url: str
    log: Callable[[str], None]
    users: dict[str, int] = field(default_factory=dict)  # bench role → user id
    owners: list = field(default_factory=list)  # fake.Owner
    colleagues: dict[str, list[int]] = field(default_factory=dict)
    # One entry per customer (index = id - 1), for later steps to build on.
    customer_owner: array = field(default_factory=lambda: array("q"))
    customer_created: array = field(default_factory=lambda: array("d"))  # epoch seconds
    counts: dict[str, int] = field(default_factory=dict)
    _loader: object = None

    @property
    def loader(self):
        """The bulk loader, opened on first use. Steps that write through the ORM (small
        tables) come before the first bulk step, since SQLite wants one writer at a time."""
        if self._loader is None:
            from django.db import connections

            from bench.loaders import loader_for

            connections.close_all()
            self._loader = loader_for(self.url)
        return self._loader


@dataclass
class Step:
    name: str
    run: Callable[[Context], None]


# --- organisation -----------------------------------------------------------------------------


def organisation(ctx: Context) -> None:
    """总部 → 大区 → city sales departments; a manager per department, reps in each city."""
    from django.contrib.auth.models import Group

    from bench.fake import Owner, _person, pinyin
    from kehu.accounts.choices import RoleCode
    from kehu.accounts.models import Role, User
    from kehu.accounts.services import department_create

    rng = random.Random(f"{ctx.seed}:organisation")
    roles = {r.code: r for r in Role.objects.all()}
    people: list[tuple[User, str]] = []

    def person(username, department, manager=None):
        name, _, _ = _person(rng)
        user = User(username=username, display_name=name, department=department, manager=manager)
        user.set_unusable_password()
        user.save()
        return user

    hq = department_create(name="总部", parent=None, actor=None)
    admin = person("bench.admin", hq)
    people.append((admin, RoleCode.ADMIN))
    ctx.users["admin"] = admin.pk
    ctx.owners.append(Owner(0, "", 0.0))  # the public pool (owner NULL)
    for region in vocab.REGIONAL_OFFICES[: ctx.scale.regions]:
        region_dept = department_create(name=region, parent=hq, actor=None)
        region_manager = person(f"{pinyin(region[:2])}.manager", region_dept)
        region_dept.manager = region_manager
        region_dept.save(update_fields=["manager"])
        people.append((region_manager, RoleCode.SALES_MANAGER))
        ctx.users.setdefault("manager", region_manager.pk)
        for city in vocab.CITY_OFFICES[region][: ctx.scale.cities_per_region]:
            dept = department_create(name=f"{city}销售部", parent=region_dept, actor=None)
            key = pinyin(city)
            city_manager = person(f"{key}.manager", dept, region_manager)
            dept.manager = city_manager
            dept.save(update_fields=["manager"])
            people.append((city_manager, RoleCode.SALES_MANAGER))
            ctx.owners.append(Owner(city_manager.pk, city, 0.3))
            for n in range(1, ctx.scale.reps_per_city + 1):
                rep = person(f"{key}.rep{n:02d}", dept, city_manager)
                people.append((rep, RoleCode.SALES_REP))
                ctx.owners.append(Owner(rep.pk, city, rng.uniform(0.5, 1.5)))
                ctx.colleagues.setdefault(city, []).append(rep.pk)
    # The pool holds about 5% of customers.
    ctx.owners[0].weight = sum(o.weight for o in ctx.owners) * 0.05 / 0.95
    # A rep with an ordinary book: the one whose weight is the median.
    reps = sorted((o for o in ctx.owners[1:] if o.weight != 0.3), key=lambda o: o.weight)
    ctx.users["rep"] = reps[len(reps) // 2].id
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=u.pk, group_id=Group.objects.get(pk=roles[r].pk).pk) for u, r in people]
    )
    ctx.counts["users"] = len(people)
    ctx.log(f"  organisation: {len(people)} users")


# --- customers, contacts, collaborators, search terms -----------------------------------------

_WORLD = None


def _batch(index: int, start: int, stop: int):
    from bench.fake import make_batch

    b = make_batch(_WORLD, index, start, stop)
    return b.customers, b.contacts, b.collaborators, b.derived


def _ordered(pool, jobs: list[tuple], window: int = 2 * WORKERS):
    """pool.apply_async over `jobs` in order with at most `window` batches held in memory."""
    it = iter(jobs)
    pending = deque(pool.apply_async(_batch, job) for job in islice(it, window))
    while pending:
        result = pending.popleft().get()
        job = next(it, None)
        if job is not None:
            pending.append(pool.apply_async(_batch, job))
        yield result


def _columns_and_defaults(model, vendor: str) -> tuple[list[str], dict]:
    from django.db import models

    columns, defaults = [], {}
    for f in model._meta.concrete_fields:
        columns.append(f.column)
        value = f.get_default()
        if isinstance(f, models.JSONField):
            value = json.dumps(value)
        elif isinstance(f, models.BooleanField) and vendor == "sqlite":
            value = int(bool(value))
        defaults[f.column] = value
    return columns, defaults


def customers(ctx: Context) -> None:
    global _WORLD
    from django.conf import settings
    from django.db import connections

    from bench import fake
    from kehu.customers.models import Contact, Customer, SourceChannel
    from kehu.refdata.loaders import REGIONS_CSV, read_csv

    source_ids = list(SourceChannel.objects.values_list("pk", flat=True))
    loader = ctx.loader
    cities = fake.region_cities(read_csv(REGIONS_CSV))
    weights = [(c, float(vocab.HOT_CITIES.get(c, 0.15))) for c in sorted(cities)]
    customer_columns, customer_defaults = _columns_and_defaults(Customer, loader.vendor)
    contact_columns, contact_defaults = _columns_and_defaults(Contact, loader.vendor)
    contact_columns.remove("id")
    total = ctx.scale.customers
    _WORLD = fake.World(
        seed=ctx.seed,
        total=total,
        backend=loader.vendor,
        day_starts=fake.day_starts(total, ctx.seed),
        owners=ctx.owners,
        colleagues=ctx.colleagues,
        cities=cities,
        city_weights=weights,
        source_ids=source_ids,
        number_pattern=settings.KEHU_CUSTOMER_NUMBER_PATTERN,
        customer_columns=customer_columns,
        contact_columns=contact_columns,
        customer_defaults=customer_defaults,
        contact_defaults=contact_defaults,
    )
    collab_table = Customer.collaborators.through._meta.db_table
    tables = [Customer._meta.db_table, Contact._meta.db_table, collab_table]
    tables += [table for table, _, _ in fake.DERIVED]
    loader.suspend_indexes(tables)
    jobs = [(n, s, min(s + BATCH, total)) for n, s in enumerate(range(0, total, BATCH))]
    connections.close_all()  # no database connection may cross the fork
    owner_at = customer_columns.index("owner_id")
    created_at = customer_columns.index("created_at")
    counts = dict.fromkeys(["customers", "contacts", "collaborators", *fake_tables(fake)], 0)
    started = time.monotonic()
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        for n, (rows, contacts, collaborators, derived) in enumerate(_ordered(pool, jobs)):
            loader.copy(Customer._meta.db_table, customer_columns, rows)
            loader.copy(Contact._meta.db_table, contact_columns, contacts)
            loader.copy(collab_table, ["customer_id", "user_id"], collaborators)
            for table, columns, _ in fake.DERIVED:
                loader.copy(table, ["customer_id", *columns], derived[table])
                counts[table] += len(derived[table])
            for row in rows:
                ctx.customer_owner.append(row[owner_at] or 0)
                ctx.customer_created.append(_epoch(row[created_at]))
            counts["customers"] += len(rows)
            counts["contacts"] += len(contacts)
            counts["collaborators"] += len(collaborators)
            if n % 10 == 9 or n == len(jobs) - 1:
                rate = counts["customers"] / (time.monotonic() - started)
                ctx.log(f"  customers: {counts['customers']:,}/{total:,} ({rate:,.0f}/s)")
    ctx.counts.update(counts)
    ctx.log(f"  rebuilding indexes on {', '.join(tables)}")
    loader.restore_indexes()


def fake_tables(fake) -> list[str]:
    return [table for table, _, _ in fake.DERIVED]


def _epoch(value) -> float:
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC).timestamp()
    return value.timestamp()


def numbering(ctx: Context) -> None:
    """The daily number counters, so the app's next number follows the generated ones."""
    from django.conf import settings

    from bench import fake
    from kehu.numbering.patterns import period_start

    probe = dt.date(2024, 5, 15)
    if period_start(probe, settings.KEHU_CUSTOMER_NUMBER_PATTERN) != probe:
        raise SystemExit("The bench generates daily numbers: unset KEHU_CUSTOMER_NUMBER_PATTERN")

    starts = [*fake.day_starts(ctx.scale.customers, ctx.seed), ctx.scale.customers]
    rows = []
    for n in range(len(starts) - 1):
        day = fake.START_DAY + dt.timedelta(days=n)
        if starts[n + 1] > starts[n]:
            rows.append(("customers", day.isoformat(), starts[n + 1] - starts[n]))
    ctx.loader.copy("numbering_numbersequence", ["kind", "period", "last"], rows)


STEPS: list[Step] = [
    Step("organisation", organisation),
    Step("customers", customers),
    Step("numbering", numbering),
    # Later modules append here: Step("followups", followups), Step("orders", orders), …
]


# --- reuse ------------------------------------------------------------------------------------


def terms_signature() -> str:
    """Changes whenever the app would derive different search terms or duplicate keys from the
    kinds of names the generator writes (a sample of each shape)."""
    from bench.fake import DERIVED, Light

    contacts = [Light(name="王芳", mobile="13900001111", landline="021-1234567", email="w@x.com")]
    samples = [
        ("enterprise", "杭州云帆智能科技(滨江)有限公司", "云帆智能", "0571-88886666"),
        ("enterprise", "浙江恒泰新材料股份有限公司", "", ""),
        ("enterprise", "深圳市鼎盛电子集团有限公司", "鼎盛电子", "0755-12345678"),
        ("enterprise", "瑞博物流(重庆)有限责任公司", "", ""),
        ("enterprise", "内蒙古优致自动化设备商行", "", ""),
        ("enterprise", "金华科技厂", "", ""),
        ("individual", "欧阳晓梅", "", ""),
    ]
    derived = []
    for kind, name, short_name, switchboard in samples:
        customer = Light(
            kind=kind,
            uscc="91330106MA27Y5XL3D" if kind == "enterprise" else "",
            name=name,
            short_name=short_name,
            mobile="13812345678" if kind == "individual" else "",
            switchboard=switchboard,
            email="a@b.cn",
            owner_id=None,
        )
        derived += [sorted(derive(customer, contacts)) for _, _, derive in DERIVED]
    raw = json.dumps(derived, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def wanted_marker(scale: str) -> dict:
    return {"scale": scale, "generator": GENERATOR_VERSION, "terms": terms_signature()}


def read_marker() -> dict | None:
    from django.db import connection

    if MARKER_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cur:
        cur.execute(f"SELECT value FROM {MARKER_TABLE} WHERE key = 'marker'")
        row = cur.fetchone()
    return json.loads(row[0]) if row else None


def _write_marker(loader, marker: dict) -> None:
    loader.execute(f"CREATE TABLE {MARKER_TABLE} (key varchar(20) PRIMARY KEY, value text)")
    loader.copy(MARKER_TABLE, ["key", "value"], [("marker", json.dumps(marker))])


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def ensure(scale: str, db: str, *, force: bool = False, log=print) -> dict:
    """A bench database for (scale, db), generated unless a matching one exists. Call after
    config.configure(scale, db). Returns the marker (with the bench users' ids)."""
    from django.db import connections

    wanted = wanted_marker(scale)
    marker = None if force else read_marker()
    if marker and all(marker.get(k) == v for k, v in wanted.items()):
        log(f"Reusing the {scale} {db} database generated {marker['generated_at']}")
        _migrate()
        return marker
    log(f"Generating the {scale} {db} database ({config.SCALES[scale].customers:,} customers)")
    started = time.monotonic()
    connections.close_all()
    config.drop_database(scale, db)
    _migrate()
    ctx = Context(
        scale=config.SCALES[scale], seed=SEED, url=config.database_url(scale, db), log=log
    )
    for step in STEPS:
        t0 = time.monotonic()
        step.run(ctx)
        log(f"  step {step.name}: {time.monotonic() - t0:.0f} s")
    marker = {
        **wanted,
        "users": ctx.users,
        "counts": ctx.counts,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started),
    }
    _write_marker(ctx.loader, marker)
    t0 = time.monotonic()
    ctx.loader.finish()
    log(f"  analyze: {time.monotonic() - t0:.0f} s")
    marker["seconds"] = round(time.monotonic() - started)
    log(f"Generated in {marker['seconds']} s: {ctx.counts}")
    return marker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(config.SCALES), default="small")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--force", action="store_true", help="regenerate even if reusable")
    args = parser.parse_args()
    config.configure(args.scale, args.db)
    ensure(args.scale, args.db, force=args.force)


if __name__ == "__main__":
    main()
