"""What decides a duplicate: each signal and its reason, the credit-code rule, the key policy
with audited overrides, typos in the first characters, a caller's scope on `exclude_id`, the
check's rate limit and its log of hidden hits, and the direction of the dependency between
customers and dedup."""

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse

from kehu.audit.models import AuditEvent
from kehu.core.testing import make_admin, session_client
from kehu.customers.models import Customer
from kehu.customers.tests import factories as f
from kehu.dedup import ratelimit
from kehu.dedup.choices import KeyKind, Relation
from kehu.dedup.keys import keys_from_values
from kehu.dedup.matching import NEIGHBOURS, find_matches
from kehu.dedup.models import DedupPolicy, PairDecision
from kehu.dedup.scoring import Profile, assess

from .conftest import legacy_company, post_json

CUSTOMERS = "/api/v1/customers"
CHECK = "/api/v1/customers/duplicates/check"
POLICY = "/api/v1/duplicates/policy"


def profile(name="", region=None, mobiles=(), emails=(), uscc="", kind="enterprise") -> Profile:
    keys = keys_from_values(
        kind=kind, name=name, uscc=uscc, mobiles=mobiles, emails=emails, region_code=region
    )
    return Profile.from_keys(None, keys)


# --- each signal, its weight and its reason -----------------------------------------------------

SIGNALS = [
    # (a, b, the signal, its reason text)
    ({"name": "云帆智能装备有限公司"}, {"name": "云帆智能装备股份有限公司"}, "same_name", "名称核心相同"),
    ({"name": "云帆智能装备有限公司"}, {"name": "云航智能装备有限公司"}, "similar_name", "名称相似（1 字不同）"),
    ({"name": "云帆智能装备有限公司"}, {"name": "云帆智能装备有限公司"}, "long_core", "名称核心较长，重名的可能小"),
    ({"name": "云帆有限公司"}, {"name": "云帆有限公司"}, "short_core", "名称核心很短，容易重名（2 字）"),
    ({"name": "杭州云帆科技有限公司"}, {"name": "成都云帆科技有限公司"}, "other_city", "不在同一城市（杭州市 / 成都市）"),
    ({"name": "杭州云帆科技有限公司"}, {"name": "云帆科技", "region": "330100"}, "same_city", "同一城市（杭州市）"),
    ({"name": "云帆科技", "region": "330106"}, {"name": "云帆科技", "region": "330106"}, "same_district", "同一区县（西湖区）"),
    ({"name": "云帆科技", "region": "330106"}, {"name": "云帆科技", "region": "330105"}, "other_district", "同城不同区县"),
    ({"name": "云帆科技", "mobiles": ["13812345678"]}, {"name": "云帆", "mobiles": ["13812345678"]}, "same_phone", "手机号相同"),
    ({"name": "云帆科技", "mobiles": ["13812345678"]}, {"name": "云帆科技", "mobiles": ["13912345678"]}, "other_phones", "联系人手机号都不同"),
    ({"name": "云帆科技", "emails": ["a@yf.cn"]}, {"name": "云帆", "emails": ["a@yf.cn"]}, "same_email", "邮箱相同"),
    ({"name": "云帆科技", "emails": ["a@yf.cn"]}, {"name": "云帆科技", "emails": ["b@yf.cn"]}, "same_domain", "企业邮箱域名相同（yf.cn）"),
    ({"name": "云帆科技", "emails": ["a@qq.com"]}, {"name": "云帆科技", "emails": ["b@qq.com"]}, None, ""),
    ({"name": "云帆科技有限公司"}, {"name": "云帆科技有限公司杭州分公司"}, "branch", "一方是分支机构（杭州分公司）"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b", "code", "text"), SIGNALS)
def test_each_signal_has_its_weight_and_one_reason(a, b, code, text):
    assessment = assess(profile(**a), profile(**b))
    if code is None:  # a public mailbox's domain says nothing
        assert "same_domain" not in assessment.codes
        return
    [signal] = [s for s in assessment.signals if s.code == code]
    assert signal.text == text
    assert text in assessment.reasons
    assert 0 <= assessment.score <= 100


def test_the_score_adds_the_weights_of_the_evidence():
    alone = assess(profile("云帆智能装备有限公司"), profile("云帆智能装备股份有限公司"))
    same_city = assess(
        profile("杭州云帆智能装备有限公司"), profile("云帆智能装备股份有限公司", "330100")
    )
    other_city = assess(profile("杭州云帆智能装备有限公司"), profile("成都云帆智能装备有限公司"))
    assert alone.score == 60 + 10  # same core, long core
    assert same_city.score == alone.score + 20
    assert other_city.score == alone.score - 40


def test_traditional_and_full_width_spellings_are_the_same_name():
    a = assess(profile("廣州華興電子科技有限公司"), profile("广州华兴电子科技（广州）有限公司"))
    assert "same_name" in a.codes
    b = assess(profile("ＡＢＣ科技有限公司"), profile("abc科技有限公司"))
    assert "same_name" in b.codes


def test_namesakes_in_other_cities_lower_a_record_without_a_place():
    bare, hangzhou = profile("云帆科技有限公司"), profile("杭州云帆科技有限公司")
    alone = assess(bare, hangzhou)
    crowded = assess(bare, hangzhou, name_cities=frozenset({"3301", "5101", "4401"}))
    assert crowded.score == alone.score - 30
    assert "其他城市也有同名企业（2 个）" in crowded.reasons


# --- the credit-code rule -----------------------------------------------------------------------


@pytest.mark.django_db
def test_different_credit_codes_are_related_never_a_duplicate(org, client_for):
    # Given a company with its code and a contact mobile
    old = f.enterprise(
        org.rep_a, name="北京字节跳动科技有限公司", contacts=[f.contact_data(mobile="13812345678")]
    )
    other_code = f.unique_uscc()
    payload = {
        **f.enterprise_data(name="北京字节跳动科技有限公司上海分公司", uscc=other_code),
        "contacts": [f.contact_data(mobile="13812345678")],
    }
    client = client_for(org.rep_a)

    # When the check runs for a record with another valid code, the same name and mobile
    [candidate] = post_json(client, CHECK, {"name": payload["name"], "uscc": other_code,
                                            "mobiles": ["13812345678"]}).json()["candidates"]  # fmt: skip
    # Then it is shown apart, as related, never blocking
    assert (candidate["customer"]["id"], candidate["level"]) == (old.pk, "related")
    assert candidate["relation"] == Relation.RELATED
    assert candidate["blocking"] is False
    assert "统一社会信用代码不同：不同的法人" in candidate["reasons"]

    # And creating it is not refused
    assert post_json(client, CUSTOMERS, payload).status_code == 201


# --- the key policy, overrides and the settings page -------------------------------------------------


@pytest.mark.django_db
def test_a_strong_warning_needs_a_reason_which_is_audited(org, client_for):
    admin = make_admin()
    f.individual(org.rep_a, name="前台", mobile="13812345678")
    assert client_for(org.rep_a).get(POLICY).json() == {
        "uscc": "block",
        "phone": "block",
        "email": "block",
    }

    # When the administrator makes a shared mobile a strong warning
    response = client_for(admin).put(
        POLICY, data={"phone": "warn", "email": "block"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert AuditEvent.objects.filter(action="dedup.policy_update", actor=admin).exists()

    # Then a company with that mobile is not refused but needs a reason
    payload = {**f.enterprise_data(uscc=""), "contacts": [f.contact_data(mobile="13812345678")]}
    client = client_for(org.rep_a)
    first = post_json(client, CUSTOMERS, payload)
    assert first.status_code == 409
    assert first.json()["code"] == "duplicate_warning"
    assert first.json()["errors"] == [{"field": "override_reason", "message": "请填写原因"}]
    assert first.json()["candidates"][0]["level"] == "confirm"
    # (allow_similar alone is not enough)
    assert post_json(client, CUSTOMERS, {**payload, "allow_similar": True}).status_code == 409

    created = post_json(client, CUSTOMERS, {**payload, "override_reason": "共用前台电话"})
    assert created.status_code == 201, created.content
    event = AuditEvent.objects.get(action="customer.duplicate_override")
    assert event.data["reason"] == "共用前台电话"
    assert PairDecision.objects.get().source == "override"


@pytest.mark.django_db
def test_a_credit_code_blocks_whatever_the_policy(org, client_for):
    DedupPolicy.objects.create(pk=1, phone="warn", email="warn")
    f.enterprise(org.rep_a, uscc=f.VALID_USCC)
    response = post_json(
        client_for(org.rep_a),
        CUSTOMERS,
        {**f.enterprise_data(uscc=f.VALID_USCC), "override_reason": "就是要建"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"


@pytest.mark.django_db
def test_only_an_administrator_changes_the_policy(org, client_for):
    response = client_for(org.manager).put(
        POLICY, data={"phone": "warn", "email": "warn"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not DedupPolicy.objects.exists()
    bad = client_for(make_admin()).put(
        POLICY, data={"phone": "maybe", "email": "warn"}, content_type="application/json"
    )
    assert bad.status_code == 422


@pytest.mark.django_db
def test_the_settings_page_sets_the_policy(org):
    admin = make_admin()
    url = reverse("dedup_settings:policy")
    page = session_client(admin).get(url)
    assert page.status_code == 200
    assert "统一社会信用代码相同" in page.content.decode()

    response = session_client(admin).post(url, {"phone": "block", "email": "warn"})
    assert response.status_code == 302
    assert DedupPolicy.objects.values_list("phone", "email").get() == ("block", "warn")
    # the form shows what is in force
    assert 'name="email" value="warn" checked' in session_client(admin).get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["rep_a", "manager"])
def test_the_settings_page_is_for_administrators_only(org, who):
    user = getattr(org, who)
    assert session_client(user).get(reverse("dedup_settings:policy")).status_code == 403
    response = session_client(user).post(
        reverse("dedup_settings:policy"), {"phone": "warn", "email": "warn"}
    )
    assert response.status_code == 403
    assert not DedupPolicy.objects.exists()


# --- typos anywhere -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_typo_in_the_first_characters_is_found(org):
    # Given a company, and more cores that sort next to the mistyped one than a window holds
    right = legacy_company(org.rep_a, "杭州云帆智能装备科技有限公司")
    for i in range(2 * NEIGHBOURS + 2):
        legacy_company(org.rep_a, f"杭州去{chr(0x4E00 + i)}物流有限公司")

    # When its name is typed with its first character wrong
    matches = find_matches(
        kind="enterprise", name="杭州去帆智能装备科技有限公司", region_code="330100"
    )

    # Then it is found (by the reversed core), as a probable duplicate
    [found] = [m for m in matches if m.customer_id == right.pk]
    assert "similar_name" in found.assessment.codes


# --- the check: scope of exclude_id, rate limit, log ---------------------------------------------


@pytest.mark.django_db
def test_exclude_id_counts_only_for_a_customer_the_caller_may_see(org, client_for):
    # Given rep_c's customer holding a mobile
    theirs = f.individual(org.rep_c, mobile="13812345678")
    client = client_for(org.rep_a)
    body = {"kind": "individual", "mobiles": ["13812345678"]}

    # When rep_a checks the mobile, excluding that (hidden) customer's id
    excluded = post_json(client, CHECK, {**body, "exclude_id": theirs.pk}).json()["candidates"]

    # Then the candidate is still there: excluding it would have told rep_a whose phone it is
    assert excluded == post_json(client, CHECK, body).json()["candidates"]
    assert len(excluded) == 1
    # while the owner excluding their own record sees nothing
    mine = post_json(client_for(org.rep_c), CHECK, {**body, "exclude_id": theirs.pk})
    assert mine.json()["candidates"] == []


@pytest.mark.django_db
def test_a_check_hitting_a_hidden_record_by_phone_is_logged(org, client_for):
    theirs = f.individual(org.rep_c, mobile="13812345678")
    post_json(client_for(org.rep_a), CHECK, {"kind": "individual", "mobiles": ["13812345678"]})
    event = AuditEvent.objects.get(action="dedup.hidden_hit")
    assert (event.actor, event.target_id) == (org.rep_a, str(theirs.pk))
    assert event.data["keys"] == ["same_phone"]
    # a visible one is not
    post_json(client_for(org.rep_c), CHECK, {"kind": "individual", "mobiles": ["13812345678"]})
    assert AuditEvent.objects.filter(action="dedup.hidden_hit").count() == 1


@pytest.mark.django_db
def test_the_check_is_rate_limited_per_user(org, client_for, monkeypatch):
    monkeypatch.setattr(ratelimit, "LIMITS", ((60, 3),))
    # the clock stands still, 40 s into a minute
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_000_000_000.0))
    client = client_for(org.rep_a)
    for _ in range(3):
        assert post_json(client, CHECK, {"name": "云帆"}).status_code == 200
    limited = post_json(client, CHECK, {"name": "云帆"})
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert limited["Retry-After"] == "20"
    # another user is not affected; the form's hint says so instead of failing
    assert post_json(client_for(org.rep_b), CHECK, {"name": "云帆"}).status_code == 200
    hint = session_client(org.rep_a).get(reverse("dedup:hint"), {"name": "云帆"})
    assert hint.status_code == 200
    assert "查重过于频繁" in hint.content.decode()


@pytest.mark.django_db
def test_a_decided_pair_is_quiet_in_the_edit_check_until_new_evidence(org, client_for):
    one = legacy_company(org.rep_a, "北京字节跳动科技有限公司")
    two = legacy_company(org.rep_a, "北京字节跳动科技股份有限公司")
    body = {"name": two.name, "exclude_id": two.pk}
    client = client_for(org.rep_a)
    assert [c["customer"]["id"] for c in post_json(client, CHECK, body).json()["candidates"]] == [
        one.pk
    ]
    PairDecision.objects.create(first=one, second=two, source="review", signals=["same_name",
                                "same_city", "long_core"])  # fmt: skip
    assert post_json(client, CHECK, body).json()["candidates"] == []
    # a shared mobile is new evidence: raised once more, saying why
    f.contact(one, org.rep_a, mobile="13912340000")
    [again] = post_json(client, CHECK, {**body, "mobiles": ["13912340000"]}).json()["candidates"]
    assert again["reraised"] == "此前判定不是重复；此后出现：手机号相同"


# --- dependencies point one way ------------------------------------------------------------------


def test_customers_does_not_import_dedup():
    root = Path(__file__).resolve().parents[2] / "customers"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("kehu.dedup")]
    assert offenders == []


@pytest.mark.django_db
def test_the_guard_and_keys_are_registered_with_customers(org):
    from kehu.customers.hooks import WRITE_CHECKS, WRITE_SAVED
    from kehu.dedup import hooks

    assert hooks.duplicate_guard in WRITE_CHECKS
    assert hooks.duplicate_keys in WRITE_SAVED
    customer = f.enterprise(org.rep_a, name="杭州云帆智能科技有限公司")
    assert Customer.objects.filter(pk=customer.pk).exists()
    kinds = {k for k, _ in customer_keys(customer)}
    assert {KeyKind.NAME, KeyKind.NAME_REV, KeyKind.PLACE} <= kinds


def customer_keys(customer):
    from kehu.dedup.models import DedupKey

    return DedupKey.objects.filter(customer=customer).values_list("kind", "value")
