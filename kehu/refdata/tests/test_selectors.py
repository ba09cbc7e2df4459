import pytest

from kehu.refdata import selectors
from kehu.refdata.loaders import REGIONS_CSV, read_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    selectors.refdata_cache_clear()
    yield
    selectors.refdata_cache_clear()


def test_region_display_reads_province_city_district():
    assert selectors.region_display("440305") == "广东省-深圳市-南山区"
    assert selectors.region_display("310115") == "上海市-浦东新区"
    assert selectors.region_display("440300") == "广东省-深圳市"


def test_unknown_or_empty_region_code_displays_as_empty():
    assert selectors.region_display("999999") == ""
    assert selectors.region_display(None) == ""
    assert selectors.region_display("") == ""


def test_region_get_and_exists():
    assert selectors.region_get("440305").name == "南山区"
    assert selectors.region_get("000000") is None
    assert selectors.region_exists("310115")
    assert not selectors.region_exists("31011")
    assert not selectors.region_exists(None)


def test_region_children_of_none_are_the_provinces():
    provinces = selectors.region_children(None)
    expected = [row["code"] for row in read_csv(REGIONS_CSV) if row["level"] == "1"]
    assert [r.code for r in provinces] == sorted(expected)


def test_region_children_keep_the_municipality_placeholder_resolvable():
    (city,) = selectors.region_children("310000")
    assert (city.code, city.name) == ("310100", "市辖区")
    assert "310115" in [r.code for r in selectors.region_children("310100")]


def test_district_and_unknown_codes_have_no_children():
    assert selectors.region_children("440305") == ()
    assert selectors.region_children("999999") == ()


def test_lookups_are_served_from_memory_after_the_first(django_assert_num_queries):
    selectors.region_display("440305")
    selectors.industry_display("35")
    with django_assert_num_queries(0):
        selectors.region_display("310115")
        selectors.region_children("440300")
        selectors.industry_display("C")
        selectors.industry_choices()


def test_industry_display():
    assert selectors.industry_display("35") == "制造业-专用设备制造业"
    assert selectors.industry_display("C") == "制造业"
    assert selectors.industry_display("98") == ""
    assert selectors.industry_display(None) == ""


def test_industry_list_gives_sections_or_the_divisions_of_one():
    assert len(selectors.industry_list()) == 20
    assert [i.code for i in selectors.industry_list("B")] == [
        "06",
        "07",
        "08",
        "09",
        "10",
        "11",
        "12",
    ]
    assert selectors.industry_list("35") == ()


def test_industry_choices_group_the_97_divisions_by_section():
    choices = selectors.industry_choices()
    assert len(choices) == 20
    assert sum(len(options) for _group, options in choices) == 97
    assert choices[0] == (
        "农、林、牧、渔业",
        [
            ("01", "农业"),
            ("02", "林业"),
            ("03", "畜牧业"),
            ("04", "渔业"),
            ("05", "农、林、牧、渔专业及辅助性活动"),
        ],
    )
    manufacturing = dict(choices)["制造业"]
    assert ("35", "专用设备制造业") in manufacturing
