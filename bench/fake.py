"""Deterministic fake customers, contacts and their search terms, one batch at a time.

A batch depends only on the seed, its index and the shared `World` (organisation, regions,
calendar), so batches can be made in any process in any order and still give the same rows.
Search terms come from kehu.customers.search.terms_for itself, so they are exactly what the
services would have written.
"""

import bisect
import datetime as dt
import json
import random
from dataclasses import dataclass, field
from functools import cache

from pypinyin import lazy_pinyin
from stdnum.cn import uscc

from bench import vocab
from kehu.customers.search import terms_for  # needs Django set up: bench.config.configure()
from kehu.dedup.keys import keys_for

# Tables derived from each customer and its contacts by the app's own functions, exactly as the
# services keep them: (table, columns after customer_id, rows for one customer).
DERIVED = [
    (
        "customers_searchterm",
        ["term", "owner_id"],
        lambda c, cs: sorted((t, c.owner_id) for t in terms_for(c, cs)),
    ),
    ("dedup_dedupkey", ["kind", "value"], lambda c, cs: sorted(keys_for(c, cs))),
]

UTC = dt.UTC
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# A fixed "now" so that a generation is the same whenever it runs.
START_DAY = dt.date(2016, 1, 1)
END_DAY = dt.date(2026, 6, 30)
END = dt.datetime(2026, 6, 30, 20, 0, tzinfo=SHANGHAI)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ROADS = [
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "科技路",
    "长江路",
    "学院路",
    "创新大道",
    "滨江大道",
]
ROADS += ["文化路", "新华路", "和平路", "工业园路", "软件园路", "金融街", "世纪大道", "高新大道"]


@dataclass
class Owner:
    id: int
    city: str  # the city office the rep works in ("" for the pool)
    weight: float


@dataclass
class City:
    name: str  # 杭州
    province: str  # 浙江
    districts: list[tuple[str, str]]  # (code, name)


@dataclass
class World:
    """What every batch needs to know, built once by the generator."""

    seed: int
    total: int
    backend: str  # "postgresql" or "sqlite"
    day_starts: list[int]  # index of the first customer created on START_DAY + n
    owners: list[Owner]
    colleagues: dict[str, list[int]]  # city → rep ids (for collaborators)
    cities: dict[str, City]
    city_weights: list[tuple[str, float]]
    source_ids: list[int]
    number_pattern: str
    customer_columns: list[str]
    contact_columns: list[str]
    customer_defaults: dict = field(default_factory=dict)
    contact_defaults: dict = field(default_factory=dict)


class Light:
    """Just the attributes terms_for reads, without the cost of a model instance."""

    def __init__(self, **values):
        self.__dict__.update(values)


_PINYIN_MEMO: dict = {}


def speed_up_pinyin() -> None:
    """Give pypinyin's converter a memory in this process (the generator's workers).

    pypinyin segments a text into words and converts word by word; the same word in the same
    style and options always converts the same way, so memoising `convert` gives results
    identical to pypinyin's own while company names repeat their words (智能科技, 有限公司)
    across a million rows.
    """
    from pypinyin.converter import UltimateConverter

    original = UltimateConverter.convert
    if getattr(original, "memoised", False):
        return

    def convert(self, words, style, heteronym, errors, strict, **kwargs):
        key = (words, style, heteronym, errors, strict, self._v_to_u)
        key += (self._neutral_tone_with_five, self._tone_sandhi, tuple(sorted(kwargs.items())))
        found = _PINYIN_MEMO.get(key)
        if found is None:
            found = original(self, words, style, heteronym, errors, strict, **kwargs)
            if len(_PINYIN_MEMO) < 1_000_000:
                _PINYIN_MEMO[key] = found
        return [list(x) for x in found]

    convert.memoised = True
    UltimateConverter.convert = convert


@cache
def _py(char: str) -> str:
    return lazy_pinyin(char)[0]


def pinyin(text: str) -> str:
    """Per-character pinyin for e-mail addresses and domains (exactness does not matter here)."""
    return "".join(_py(c) for c in text)


def region_cities(rows: list[dict]) -> dict[str, City]:
    """City short name → its districts, from refdata's regions.csv rows."""
    by_code = {r["code"]: r for r in rows}
    cities: dict[str, City] = {}
    for row in rows:
        if row["level"] != "2":
            continue
        province = by_code[row["parent_code"]]["name"]
        if row["name"] in {"市辖区", "县"}:
            name, code = province, province  # a municipality: 北京市 is the city
        elif row["name"].endswith("市"):
            name, code = row["name"], row["code"]
        else:
            continue
        short = name.removesuffix("市")
        districts = [(r["code"], r["name"]) for r in rows if r["parent_code"] == row["code"]] or [
            (row["code"], "")
        ]
        city = cities.setdefault(short, City(short, _short_province(province), []))
        city.districts.extend(districts)
        del code
    return cities


def _short_province(name: str) -> str:
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def day_starts(total: int, seed: int) -> list[int]:
    """Customers per day over START_DAY..END_DAY: growing, quieter at weekends, each day < 1000
    so the default number pattern (3-digit daily sequence) holds. Returns cumulative starts."""
    rng = random.Random(f"{seed}:calendar")
    days = (END_DAY - START_DAY).days + 1
    weights = []
    for n in range(days):
        day = START_DAY + dt.timedelta(days=n)
        weekend = 0.3 if day.weekday() >= 5 else 1.0
        weights.append((1 + 2 * n / days) * weekend * rng.uniform(0.8, 1.2))
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in sorted(range(days), key=lambda i: weights[i] * scale - counts[i], reverse=True):
        if sum(counts) >= total:
            break
        counts[i] += 1
    if max(counts) > 999:
        raise ValueError("more than 999 customers on one day: widen the calendar")
    starts, acc = [], 0
    for c in counts:
        starts.append(acc)
        acc += c
    return starts


def _mobile(rng: random.Random) -> str:
    return rng.choice(vocab.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _person(rng: random.Random) -> tuple[str, str, str]:
    """(name, surname, given) — surnames skewed to the common ones."""
    if rng.random() < 0.01:
        surname = rng.choice(vocab.COMPOUND_SURNAMES)
    else:
        surname = vocab.SURNAMES[int(len(vocab.SURNAMES) * rng.random() ** 2)]
    given = "".join(rng.choice(vocab.GIVEN_CHARS) for _ in range(1 if rng.random() < 0.3 else 2))
    return surname + given, surname, given


def _landline(rng: random.Random, city: str) -> str:
    area = vocab.AREA_CODES.get(city) or f"0{rng.randrange(350, 999)}"
    digits = 8 if len(area) == 3 else rng.choice([7, 8])
    return f"{area}-{rng.randrange(2, 10)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"


def _uscc(rng: random.Random, region: str) -> str:
    region6 = region if region.isdigit() else "110000"
    org = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    body = f"91{region6}{org}"
    return body + uscc.calc_check_digit(body)


class Batch:
    """Rows of customers [start, stop) with their contacts, collaborators and search terms."""

    def __init__(self, world: World, index: int, start: int, stop: int):
        self.w = world
        self.rng = random.Random(f"{world.seed}:batch:{index}")
        self.start, self.stop = start, stop
        self.customers: list[tuple] = []
        self.contacts: list[tuple] = []
        self.collaborators: list[tuple] = []
        self.derived: dict[str, list[tuple]] = {table: [] for table, _, _ in DERIVED}
        self._owner_weights = [o.weight for o in world.owners]
        self._city_names = [c for c, _ in world.city_weights]
        self._city_cum = []
        acc = 0.0
        for _, weight in world.city_weights:
            acc += weight
            self._city_cum.append(acc)

    # --- value formats per database ---------------------------------------------------------

    def ts(self, value: dt.datetime):
        if self.w.backend == "sqlite":
            # Django stores naive UTC text on SQLite; keep microseconds so the format is fixed.
            return str(value.astimezone(UTC).replace(tzinfo=None))
        return value

    def day(self, value: dt.date | None):
        if value is None or self.w.backend != "sqlite":
            return value
        return value.isoformat()

    def json(self, value) -> str:
        return json.dumps(value, ensure_ascii=False)

    def flag(self, value: bool):
        return int(value) if self.w.backend == "sqlite" else value

    # --- composition ------------------------------------------------------------------------

    def run(self) -> "Batch":
        for i in range(self.start, self.stop):
            self.customer(i)
        return self

    def _random_city(self) -> City:
        pick = bisect.bisect(self._city_cum, self.rng.random() * self._city_cum[-1])
        return self.w.cities[self._city_names[min(pick, len(self._city_names) - 1)]]

    def _created(self, i: int) -> dt.datetime:
        day_index = bisect.bisect_right(self.w.day_starts, i) - 1
        self._seq = i - self.w.day_starts[day_index] + 1
        day = START_DAY + dt.timedelta(days=day_index)
        seconds = int(8.5 * 3600 + self.rng.random() * 10 * 3600)
        return dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + dt.timedelta(
            seconds=seconds, microseconds=self.rng.randrange(1, 1_000_000)
        )

    def customer(self, i: int) -> None:
        rng, w = self.rng, self.w
        cid = i + 1
        created = self._created(i)
        updated = created + (END - created) * rng.random() ** 3
        if updated > END:
            updated = END
        owner = rng.choices(w.owners, weights=self._owner_weights)[0]
        city = (
            w.cities[owner.city]
            if owner.city in w.cities and rng.random() < 0.7
            else self._random_city()
        )
        district_code, district = rng.choice(city.districts)
        enterprise = rng.random() < 0.75
        row = dict(w.customer_defaults)
        row.update(
            id=cid,
            number=w.number_pattern.format(date=created.date(), seq=self._seq),
            kind="enterprise" if enterprise else "individual",
            status=rng.choices(
                ["potential", "intent", "customer", "churned"], weights=[45, 25, 22, 8]
            )[0],
            owner_id=owner.id or None,
            source_id=rng.choice(w.source_ids),
            first_contact_date=self.day(created.date() - dt.timedelta(days=rng.randrange(30))),
            region_id=district_code,
            address=f"{district}{rng.choice(ROADS)}{rng.randrange(1, 999)}号"
            + (f"{rng.randrange(1, 30)}楼" if enterprise else ""),
            urgency=rng.choice(["high", "medium", "low", ""]),
            preferred_contact=rng.choice(["phone", "meeting", "email", "wechat", ""]),
            version=1,
            created_by_id=owner.id or None,
            updated_by_id=owner.id or None,
            created_at=self.ts(created),
            updated_at=self.ts(updated),
        )
        if rng.random() < 0.4:
            row["need_tags"] = self.json(rng.sample(vocab.NEED_TAGS, rng.randrange(1, 3)))
            row["core_need"] = rng.choice(["采购一批设备", "寻找长期供应商", "系统升级改造"])
        if rng.random() < 0.3:
            low = rng.randrange(5, 200)
            row["budget_min"], row["budget_max"] = low, low + rng.randrange(0, 100)
        elif rng.random() < 0.1:
            row["pending_fields"] = self.json(["budget_min", "budget_max"])
        if enterprise:
            self._enterprise(row, city, district_code)
        else:
            self._individual(row)
        self.customers.append(tuple(row[c] for c in w.customer_columns))
        contacts = self._contacts(row, enterprise, city, created)
        if owner.id and rng.random() < 0.03:
            mates = [u for u in w.colleagues.get(owner.city, []) if u != owner.id]
            if mates:
                self.collaborators.append((cid, rng.choice(mates)))
        light, light_contacts = Light(**row), [Light(**c) for c in contacts]
        for table, _, rows_for in DERIVED:
            self.derived[table].extend((cid, *r) for r in rows_for(light, light_contacts))

    def _enterprise(self, row: dict, city: City, district_code: str) -> None:
        rng = self.rng
        core = "".join(rng.choice(vocab.CORE_CHARS) for _ in range(3 if rng.random() < 0.15 else 2))
        word, division = rng.choice(vocab.INDUSTRY_WORDS)
        suffix = rng.choices(
            [s for s, _ in vocab.LEGAL_SUFFIXES], weights=[n for _, n in vocab.LEGAL_SUFFIXES]
        )[0]
        roll = rng.random()
        prefix = city.name if roll < 0.7 else city.province if roll < 0.8 else ""
        if prefix == city.province and roll >= 0.75:
            name = f"{core}{word}({city.name}){suffix}"  # 云帆科技(杭州)有限公司
        else:
            name = f"{prefix}{core}{word}{suffix}"
        domain = f"{pinyin(core)}{rng.choice(['', 'tech', 'group', 'cn'])}"
        self._domain = f"{domain}.{rng.choice(vocab.COMPANY_TLDS)}"
        row.update(
            name=name,
            short_name=f"{core}{word[:2]}" if rng.random() < 0.5 else "",
            uscc=_uscc(rng, district_code),
            industry_id=division,
            size_band=rng.choice(["lt50", "50-100", "100-500", "500-1000", "gt1000"]),
            revenue_band=rng.choice(["lt500w", "500w-2000w", "2000w-1y", "1y-10y", "gt10y"]),
            founded=f"{rng.randrange(1990, 2025)}-{rng.randrange(1, 13):02d}",
            ownership=rng.choices(
                ["state", "private", "foreign", "joint", "institution", "other"],
                weights=[10, 70, 6, 6, 4, 4],
            )[0],
            main_business=f"{word}相关产品的研发、生产与销售",
            switchboard=_landline(rng, city.name) if rng.random() < 0.5 else "",
            website=f"https://www.{self._domain}" if rng.random() < 0.3 else "",
            decision_chain=self.json(rng.choice(vocab.DECISION_CHAINS))
            if rng.random() < 0.3
            else "[]",
        )

    def _individual(self, row: dict) -> None:
        rng = self.rng
        name, surname, given = _person(rng)
        birthday = dt.date(rng.randrange(1960, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
        row.update(
            name=name,
            gender=rng.choice(["male", "female"]),
            age_band=rng.choice(["lt25", "25-34", "35-44", "45-54", "gte55"]),
            occupation=rng.choice(vocab.OCCUPATIONS),
            birthday=self.day(birthday) if rng.random() < 0.6 else None,
            mobile=_mobile(rng),
            email=self._personal_mail(surname, given) if rng.random() < 0.6 else "",
            wechat=f"wx_{pinyin(given)}{rng.randrange(1000, 99999)}" if rng.random() < 0.5 else "",
        )

    def _personal_mail(self, surname: str, given: str) -> str:
        rng = self.rng
        if rng.random() < 0.4:
            local = str(rng.randrange(10**7, 10**10))  # a QQ number
        else:
            local = f"{pinyin(given)}{pinyin(surname)}{rng.randrange(1, 999)}"
        return f"{local}@{rng.choice(vocab.PERSONAL_MAIL)}"

    def _contacts(self, row: dict, enterprise: bool, city: City, created) -> list[dict]:
        rng, w = self.rng, self.w
        count = rng.choice([1, 2, 2, 3, 3, 4, 2]) if enterprise else 1 if rng.random() < 0.6 else 0
        out = []
        for n in range(count):
            name, surname, given = _person(rng)
            contact = dict(w.contact_defaults)
            contact.update(
                customer_id=row["id"],
                name=name,
                position=rng.choice(vocab.POSITIONS) if enterprise else "家属",
                mobile=_mobile(rng) if rng.random() < 0.95 else "",
                landline=_landline(rng, city.name) if enterprise and rng.random() < 0.3 else "",
                email=f"{pinyin(given)}.{pinyin(surname)}@{self._domain}"
                if enterprise and rng.random() < 0.5
                else "",
                wechat=f"wx{rng.randrange(10**6, 10**9)}" if rng.random() < 0.3 else "",
                decision_role=rng.choice(["decider", "influencer", "evaluator", "user", ""]),
                is_primary=self.flag(enterprise and n == 0),
                has_left=self.flag(rng.random() < 0.05 and n > 0),
                version=1,
                created_at=row["created_at"],
                updated_at=row["created_at"],
            )
            out.append(contact)
            self.contacts.append(tuple(contact[c] for c in w.contact_columns))
        return out


def make_batch(world: World, index: int, start: int, stop: int) -> Batch:
    speed_up_pinyin()
    return Batch(world, index, start, stop).run()
