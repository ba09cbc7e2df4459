"""Load data/*.csv into the Region and Industry tables; called by data migrations.

The functions take the model classes as arguments so a migration passes its historical models
(apps.get_model) and keeps working when the current models change.
"""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
REGIONS_CSV = DATA_DIR / "regions.csv"
INDUSTRIES_CSV = DATA_DIR / "industries_gbt4754_2017.csv"

# City-level rows that stand for "no real city here"; they keep their codes but are left out of
# full names ("上海市-浦东新区", "河南省-济源市").
PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

BATCH_SIZE = 1000


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def region_full_names(rows: list[dict], column: str = "name") -> dict[str, str]:
    """Map code → "省-市-区", skipping placeholders and a name repeated from the level above
    (甘肃省-嘉峪关市 rather than 甘肃省-嘉峪关市-嘉峪关市). With column="name_en", the English
    full name, smallest first: "Nanshan District, Shenzhen, Guangdong"."""
    by_code = {row["code"]: row for row in rows}
    full_names = {}
    for row in rows:
        chain = []
        node = row
        while node is not None:
            if node["name"] not in PLACEHOLDER_NAMES:
                chain.append(node[column])
            node = by_code.get(node["parent_code"])
        parts = []
        for name in reversed(chain):
            if not (parts and parts[-1] == name):
                parts.append(name)
        english = column != "name"
        full_names[row["code"]] = ", ".join(reversed(parts)) if english else "-".join(parts)
    return full_names


def regions_load(Region) -> int:
    """Insert every region of regions.csv, parents before children; return the count."""
    rows = read_csv(REGIONS_CSV)
    full_names = region_full_names(rows)
    rows.sort(key=lambda row: (int(row["level"]), row["code"]))
    Region.objects.bulk_create(
        [
            Region(
                code=row["code"],
                name=row["name"],
                level=int(row["level"]),
                parent_id=row["parent_code"] or None,
                full_name=full_names[row["code"]],
            )
            for row in rows
        ],
        batch_size=BATCH_SIZE,
    )
    return len(rows)


def industries_load(Industry) -> int:
    """Insert every section and division of the GB/T 4754-2017 CSV; return the count."""
    rows = read_csv(INDUSTRIES_CSV)
    sections = {row["code"]: row["name"] for row in rows if not row["section_code"]}
    Industry.objects.bulk_create(
        [
            Industry(code=row["code"], name=row["name"], level="section", full_name=row["name"])
            for row in rows
            if not row["section_code"]
        ]
        + [
            Industry(
                code=row["code"],
                name=row["name"],
                level="division",
                section_id=row["section_code"],
                full_name=f"{sections[row['section_code']]}-{row['name']}",
            )
            for row in rows
            if row["section_code"]
        ],
        batch_size=BATCH_SIZE,
    )
    return len(rows)


def english_names_load(Region, Industry) -> None:
    """Fill the English names (name_en, full_name_en) from the CSV files' name_en columns."""
    rows = read_csv(REGIONS_CSV)
    full_names = region_full_names(rows, "name_en")
    regions = Region.objects.in_bulk([row["code"] for row in rows])
    for row in rows:
        region = regions[row["code"]]
        region.name_en, region.full_name_en = row["name_en"], full_names[row["code"]]
    Region.objects.bulk_update(regions.values(), ["name_en", "full_name_en"], batch_size=BATCH_SIZE)
    rows = read_csv(INDUSTRIES_CSV)
    sections = {row["code"]: row["name_en"] for row in rows if not row["section_code"]}
    industries = Industry.objects.in_bulk([row["code"] for row in rows])
    for row in rows:
        industry = industries[row["code"]]
        industry.name_en = row["name_en"]
        industry.full_name_en = (
            f"{sections[row['section_code']]} - {row['name_en']}"
            if row["section_code"]
            else row["name_en"]
        )
    Industry.objects.bulk_update(
        industries.values(), ["name_en", "full_name_en"], batch_size=BATCH_SIZE
    )


def regions_unload(Region) -> None:
    """Delete every region, children before parents (the parent link is PROTECT)."""
    for level in (3, 2, 1):
        Region.objects.filter(level=level).delete()


def industries_unload(Industry) -> None:
    Industry.objects.filter(section__isnull=False).delete()
    Industry.objects.all().delete()
