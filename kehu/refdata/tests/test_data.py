"""The tables hold exactly what the committed CSV files say, with correct full names."""

import importlib

import pytest
from django.apps import apps

from kehu.refdata import loaders
from kehu.refdata.models import Industry, Region

pytestmark = pytest.mark.django_db


def _csv_regions():
    return loaders.read_csv(loaders.REGIONS_CSV)


def test_every_csv_region_is_loaded_with_its_level_and_parent():
    rows = _csv_regions()
    loaded = {r.code: (r.name, r.parent_id or "", str(r.level)) for r in Region.objects.all()}
    assert loaded == {row["code"]: (row["name"], row["parent_code"], row["level"]) for row in rows}


def test_region_counts_per_level_match_the_csv():
    rows = _csv_regions()
    for level in (1, 2, 3):
        expected = sum(1 for row in rows if row["level"] == str(level))
        assert Region.objects.filter(level=level).count() == expected
    assert Region.objects.filter(level=1).count() == 34  # 31 + 台湾, 香港, 澳门


def test_every_region_code_is_six_digits_and_starts_with_its_parents_prefix():
    for region in Region.objects.select_related("parent"):
        assert len(region.code) == 6 and region.code.isdigit()
        if region.parent:
            prefix = 2 * region.parent.level
            assert region.code[:prefix] == region.parent.code[:prefix]


@pytest.mark.parametrize(
    ("code", "full_name"),
    [
        ("440305", "广东省-深圳市-南山区"),
        ("310115", "上海市-浦东新区"),  # 上海市-市辖区-浦东新区 in the data
        ("310100", "上海市"),  # the 市辖区 placeholder itself
        ("500229", "重庆市-城口县"),  # under the 县 placeholder
        ("419001", "河南省-济源市"),  # under 省直辖县级行政区划
        ("441900", "广东省-东莞市"),  # a city without districts
        ("110000", "北京市"),
        ("810000", "香港特别行政区"),
    ],
)
def test_full_name_skips_placeholder_levels(code, full_name):
    assert Region.objects.get(code=code).full_name == full_name


def test_industries_are_20_sections_and_97_divisions():
    assert Industry.objects.filter(level="section").count() == 20
    assert Industry.objects.filter(level="division").count() == 97
    assert list(Industry.objects.filter(level="section").values_list("code", flat=True)) == list(
        "ABCDEFGHIJKLMNOPQRST"
    )
    divisions = Industry.objects.filter(level="division").values_list("code", flat=True)
    assert list(divisions) == [f"{n:02d}" for n in range(1, 98)]


def test_industry_rows_match_the_csv():
    rows = loaders.read_csv(loaders.INDUSTRIES_CSV)
    loaded = {i.code: (i.name, i.section_id or "") for i in Industry.objects.all()}
    assert loaded == {row["code"]: (row["name"], row["section_code"]) for row in rows}


def test_data_migration_reverses_and_reloads():
    migration = importlib.import_module("kehu.refdata.migrations.0002_load_reference_data")
    total_regions, total_industries = Region.objects.count(), Industry.objects.count()

    migration.unload(apps, None)
    assert Region.objects.count() == 0 and Industry.objects.count() == 0

    migration.load(apps, None)
    assert Region.objects.count() == total_regions
    assert Industry.objects.count() == total_industries
