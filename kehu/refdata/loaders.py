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


def region_full_names(rows: list[dict]) -> dict[str, str]:
    """Map code → "省-市-区", skipping placeholders and a name repeated from the level above
    (甘肃省-嘉峪关市 rather than 甘肃省-嘉峪关市-嘉峪关市)."""
    by_code = {row["code"]: row for row in rows}
    full_names = {}
    for row in rows:
        chain = []
        node = row
        while node is not None:
            chain.append(node["name"])
            node = by_code.get(node["parent_code"])
        parts = []
        for name in reversed(chain):
            if name in PLACEHOLDER_NAMES or (parts and parts[-1] == name):
                continue
            parts.append(name)
        full_names[row["code"]] = "-".join(parts)
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


def regions_unload(Region) -> None:
    """Delete every region, children before parents (the parent link is PROTECT)."""
    for level in (3, 2, 1):
        Region.objects.filter(level=level).delete()


def industries_unload(Industry) -> None:
    Industry.objects.filter(section__isnull=False).delete()
    Industry.objects.all().delete()
