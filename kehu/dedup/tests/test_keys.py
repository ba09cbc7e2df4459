"""Identity keys (查重键): the company-name core every spelling of one company shares, the exact
keys (credit code, mobile, email, an individual's name + mobile), and that the customer services
keep the stored keys in step with the data."""

import pytest

from kehu.customers import services
from kehu.customers.normalize import name_core
from kehu.customers.tests import factories as f
from kehu.dedup.choices import KeyKind
from kehu.dedup.keys import keys_from_values
from kehu.dedup.models import DedupKey

# --- the name core --------------------------------------------------------------------------

BYTEDANCE = [
    "字节跳动科技有限公司",
    # legal forms
    "字节跳动科技有限责任公司",
    "字节跳动科技股份有限公司",
    "字节跳动科技集团有限公司",
    "字节跳动科技集团",
    # province / city prefixes, with and without 省/市
    "北京字节跳动科技有限公司",
    "北京市字节跳动科技有限公司",
    # brackets, half- and full-width, and branches
    "字节跳动科技（北京）有限公司",
    "字节跳动科技(北京)有限公司",
    "字节跳动科技有限公司（北京分公司）",
    "【北京】字节跳动科技有限公司",
    "字节跳动科技有限公司北京分公司",
    "字节跳动科技厂北京分厂",
    # spaces, full-width spaces
    "字节跳动 科技 有限公司",
    " 字节跳动科技有限公司\u3000",
]

TENCENT = [
    "腾讯科技有限公司",
    "深圳市腾讯科技有限公司",
    "深圳腾讯科技有限公司",
    "广东省深圳市腾讯科技有限公司",
    "广东腾讯科技有限公司",
    "腾讯科技（深圳）有限公司",
]

YUNFAN = [
    "云帆智能科技有限公司",
    "杭州云帆智能科技有限公司",
    "杭州市云帆智能科技有限公司",
    "浙江省杭州市云帆智能科技有限公司",
    "浙江杭州云帆智能科技有限公司",
    "浙江云帆智能科技有限公司",
    "哈尔滨云帆智能科技有限公司",
    "浦东新区云帆智能科技有限公司",
]

LATIN = ["ABC科技有限公司", "ＡＢＣ科技有限公司", "abc 科技有限公司", "Ａｂｃ科技股份有限公司"]


@pytest.mark.parametrize(
    ("spelling", "core"),
    [(n, "字节跳动科技") for n in BYTEDANCE]
    + [(n, "腾讯科技") for n in TENCENT]
    + [(n, "云帆智能科技") for n in YUNFAN]
    + [(n, "abc科技") for n in LATIN],
)
def test_spellings_of_one_company_share_a_core(spelling, core):
    # Given one company written as people write it
    # When its name core is taken
    # Then every spelling gives the same core
    assert name_core(spelling) == core


def test_different_companies_have_different_cores():
    names = [
        "北京字节跳动科技有限公司",
        "深圳市腾讯科技有限公司",
        "杭州云帆智能科技有限公司",
        "杭州云帆物流有限公司",
        "阿里巴巴（中国）网络技术有限公司",
        "华为技术有限公司",
    ]
    assert len({name_core(n) for n in names}) == len(names)


@pytest.mark.parametrize(
    ("name", "core"),
    [
        # A 字号 that is also a city name stays when nothing distinctive would be left.
        ("金华科技有限公司", "金华科技"),
        ("安康医药有限公司", "安康医药"),
        ("中山有限公司", "中山"),
    ],
)
def test_a_city_name_is_not_taken_for_a_prefix_when_it_is_the_whole_core(name, core):
    assert name_core(name) == core


# --- exact keys -----------------------------------------------------------------------------


def test_keys_of_an_enterprise_are_normalised():
    keys = keys_from_values(
        kind="enterprise",
        name="北京字节跳动科技有限公司",
        uscc=" 91110108551385082q ",
        mobiles=["+86 138-1234-5678", "021-12345678", ""],
        emails=[" Li.Lei@Example.COM "],
    )
    assert keys == {
        (KeyKind.USCC, "91110108551385082Q"),
        (KeyKind.PHONE, "13812345678"),  # the landline is not an identity key
        (KeyKind.EMAIL, "li.lei@example.com"),
        (KeyKind.NAME, "字节跳动科技"),
        (KeyKind.NAME_REV, "技科动跳节字"),  # typos in the first characters are found by it
        (KeyKind.PLACE, "110100"),  # from the name (no region given)
    }


def test_keys_of_an_individual_are_the_mobile_and_name_with_mobile():
    keys = keys_from_values(
        kind="individual", name="张 伟", mobiles=["13812345678"], emails=["zw@example.com"]
    )
    # A common name alone identifies nobody (there are many 张伟): no name key for people.
    assert keys == {
        (KeyKind.PHONE, "13812345678"),
        (KeyKind.PERSON, "张伟|13812345678"),
        (KeyKind.EMAIL, "zw@example.com"),
    }


def test_nothing_typed_gives_no_keys():
    assert keys_from_values(kind="enterprise", name="", uscc="", mobiles=[""], emails=[""]) == set()


# --- keys follow the writes -----------------------------------------------------------------


def stored(customer) -> set[tuple[str, str]]:
    return set(DedupKey.objects.filter(customer=customer).values_list("kind", "value"))


@pytest.mark.django_db
def test_create_stores_the_keys_of_the_customer_and_its_contacts(org):
    # Given an enterprise created with a contact
    acme = f.enterprise(
        org.rep_a,
        name="北京字节跳动科技有限公司",
        uscc=f.VALID_USCC,
        contacts=[f.contact_data(mobile="13812345678", email="Li@Example.com")],
    )
    # Then its credit code, the contact's phone and email and its name core are keys
    assert stored(acme) == {
        (KeyKind.USCC, f.VALID_USCC),
        (KeyKind.PHONE, "13812345678"),
        (KeyKind.EMAIL, "li@example.com"),
        (KeyKind.NAME, "字节跳动科技"),
        (KeyKind.NAME_REV, "技科动跳节字"),
        (KeyKind.PLACE, "110100"),
    }


@pytest.mark.django_db
def test_updates_and_deletes_replace_the_keys(org):
    acme = f.enterprise(org.rep_a, name="深圳市腾讯科技有限公司")
    person = f.contact(acme, org.rep_a, mobile="13812345678", email="a@example.com")

    # When the contact's phone changes
    services.contact_update(
        contact=person, data={"mobile": "13900001111"}, actor=org.rep_a, version=None
    )
    # Then the old phone is no longer a key and the new one is
    assert (KeyKind.PHONE, "13812345678") not in stored(acme)
    assert (KeyKind.PHONE, "13900001111") in stored(acme)

    # When the customer is renamed
    services.customer_update(
        customer=acme, data={"name": "深圳市云帆智能科技有限公司"}, actor=org.rep_a, version=None
    )
    # Then the name key follows
    names = {v for k, v in stored(acme) if k == KeyKind.NAME}
    assert names == {"云帆智能科技"}

    # When the contact is deleted
    services.contact_delete(contact=person, actor=org.rep_a)
    # Then its phone and email are gone from the keys
    assert not {k for k, _ in stored(acme)} & {KeyKind.PHONE, KeyKind.EMAIL}
