"""The whole-base scan: customers sharing an identifying key or alike enough (相似度 from the
scan threshold) form groups listed by 相似度; different companies do not (other cities, other
credit codes, branches); a typo anywhere in a name is found; a pair someone decided is
different is not raised again unless new evidence appears; starting a scan needs the merge
permission."""

import pytest

from kehu.customers.models import Customer
from kehu.customers.tests import factories as f
from kehu.dedup import scan as scan_module
from kehu.dedup import selectors
from kehu.dedup.choices import GroupStatus, ScanStatus
from kehu.dedup.models import DuplicateGroup, PairDecision

from .conftest import legacy_company, legacy_contact_mobile, legacy_duplicate, post_json

pytestmark = pytest.mark.django_db


def open_groups() -> list[tuple[set[int], int, list[str]]]:
    return [
        ({c.pk for c in g.customers.all()}, g.score, g.reasons)
        for g in DuplicateGroup.objects.filter(status=GroupStatus.OPEN)
    ]


def test_scan_groups_customers_sharing_an_identifying_key(org, scan):
    # Given pairs that share a credit code, a contact mobile, an individual's mobile and email
    a1 = f.enterprise(org.rep_a)
    a2 = legacy_duplicate(f.enterprise(org.rep_a), uscc=a1.uscc)
    b1 = f.enterprise(org.rep_a, uscc="", contacts=[f.contact_data(mobile="13812345678")])
    b2 = f.enterprise(org.rep_b, uscc="")
    legacy_contact_mobile(f.contact(b2, org.rep_b), "13812345678")
    c1 = f.individual(org.rep_a, mobile="13700000001")
    c2 = legacy_duplicate(f.individual(org.rep_c), mobile="13700000001")
    d1 = f.individual(org.rep_a, email="same@example.com")
    d2 = legacy_duplicate(f.individual(org.rep_a), email="same@example.com")
    f.enterprise(org.rep_a)  # alone

    # When a scan runs
    run = scan(org.manager)

    # Then each pair is one group with its reasons
    assert run.status == ScanStatus.DONE
    assert run.total == Customer.objects.count() == run.processed
    found = {frozenset(ids): (score, reasons) for ids, score, reasons in open_groups()}
    assert set(found) == {
        frozenset({a1.pk, a2.pk}),
        frozenset({b1.pk, b2.pk}),
        frozenset({c1.pk, c2.pk}),
        frozenset({d1.pk, d2.pk}),
    }
    assert found[frozenset({a1.pk, a2.pk})] == (100, ["统一社会信用代码相同"])
    assert "手机号相同" in found[frozenset({b1.pk, b2.pk})][1]
    assert "邮箱相同" in found[frozenset({d1.pk, d2.pk})][1]


def test_scan_groups_spellings_of_one_company_with_their_similarity(org, scan):
    # Given one company entered three times, and a name with a typo in its first characters
    same = [
        f.enterprise(org.rep_a, name="北京字节跳动科技有限公司", uscc=""),
        legacy_company(org.rep_a, "字节跳动科技股份有限公司", region_id="110108"),
        legacy_company(org.rep_b, "字节跳動 科技（北京）有限责任公司"),
    ]
    typo = [
        f.enterprise(org.rep_a, name="杭州云帆智能装备科技有限公司", uscc=""),
        legacy_company(org.rep_a, "杭州云航智能装备科技有限公司"),
    ]

    # When a scan runs
    scan(org.manager)

    # Then both are groups, the same core surer than the typo, each with reasons
    found = open_groups()
    assert [ids for ids, _, _ in found] == [{c.pk for c in same}, {c.pk for c in typo}]
    (_, same_score, same_reasons), (_, typo_score, typo_reasons) = found
    assert scan_module.SCAN_THRESHOLD <= typo_score < same_score <= 100
    assert "名称核心相同" in same_reasons
    assert "同一城市（北京市）" in " ".join(same_reasons) or "同一城市" in " ".join(same_reasons)
    assert any(r.startswith("名称相似") for r in typo_reasons)


def test_scan_leaves_different_companies_apart(org, scan):
    # Given different companies: a 字号 shared across cities, one with other credit codes,
    # a branch and its company, different names that start alike, and people called 张伟
    legacy_company(org.rep_a, "杭州云帆智能科技有限公司")
    legacy_company(org.rep_a, "成都云帆智能科技有限公司")
    f.enterprise(org.rep_a, name="深圳华信技术有限公司")
    legacy_duplicate(f.enterprise(org.rep_a), name="深圳华信技术有限公司")  # another code
    legacy_company(org.rep_a, "北京字节跳动科技有限公司")
    legacy_company(org.rep_a, "北京字节跳动科技有限公司上海分公司")
    legacy_company(org.rep_a, "杭州云帆物流有限公司")
    f.individual(org.rep_a, name="张伟", mobile="13800000001")
    f.individual(org.rep_b, name="张伟", mobile="13800000002")

    run = scan(org.manager)

    assert run.status == ScanStatus.DONE
    assert open_groups() == []


def test_a_record_without_a_place_does_not_chain_two_cities(org, scan):
    # Given 云帆 in Hangzhou and in Chengdu, and a record of one of them without a place
    hangzhou = legacy_company(org.rep_a, "杭州云帆智能装备科技有限公司")
    legacy_company(org.rep_a, "成都云帆智能装备科技有限公司")
    bare = legacy_company(
        org.rep_a, "云帆智能装备科技有限公司", contacts=[f.contact_data(mobile="13911112222")]
    )
    legacy_contact_mobile(f.contact(hangzhou, org.rep_a), "13911112222")

    scan(org.manager)

    # Then the bare record joins the company it shares a phone with, and only that one
    assert [ids for ids, _, _ in open_groups()] == [{hangzhou.pk, bare.pk}]


def test_a_decided_pair_is_not_raised_until_new_evidence(org, scan, client_for):
    # Given a group found by a scan
    first = legacy_company(org.rep_a, "北京字节跳动科技有限公司")
    second = legacy_company(org.rep_a, "字节跳动科技有限公司", region_id="110108")
    scan(org.manager)
    [group] = DuplicateGroup.objects.all()

    # When the manager says they are not the same
    response = client_for(org.manager).post(f"/api/v1/duplicates/groups/{group.pk}/dismiss")
    assert response.status_code == 204
    assert PairDecision.objects.filter(first=first, second=second, source="review").exists()

    # Then later scans do not raise the pair again
    assert scan(org.manager).groups_found == 0
    group.refresh_from_db()
    assert group.status == GroupStatus.DISMISSED

    # …until a key that matters changes: the same contact mobile appears on both — once, with why
    legacy_contact_mobile(f.contact(first, org.rep_a), "13912340000")
    legacy_contact_mobile(f.contact(second, org.rep_a), "13912340000")
    scan(org.manager)
    [(ids, _, reasons)] = open_groups()
    assert ids == {first.pk, second.pk}
    assert reasons[0] == "此前判定不是重复；此后出现：手机号相同"


def test_a_pair_created_anyway_at_entry_is_not_raised_by_the_scan(org, scan, client_for):
    # Given a probable duplicate a rep created anyway
    f.enterprise(org.rep_a, name="北京字节跳动科技有限公司", uscc="")
    payload = f.enterprise_data(name="字节跳动科技有限公司", uscc="", region_code="110108")
    client = client_for(org.rep_a)
    assert post_json(client, "/api/v1/customers", payload).status_code == 409
    created = post_json(client, "/api/v1/customers", {**payload, "allow_similar": True})
    assert created.status_code == 201

    # Then the scan does not raise that pair
    assert scan(org.manager).groups_found == 0


def test_a_new_scan_replaces_the_open_groups_of_the_last(org, scan):
    one = legacy_company(org.rep_a, "北京字节跳动科技有限公司")
    legacy_company(org.rep_a, "北京字节跳动科技股份有限公司")
    assert scan(org.manager).groups_found == 1
    legacy_duplicate(one, name="深圳市腾讯科技有限公司")  # the duplicate is fixed by hand

    run = scan(org.manager)

    assert run.groups_found == 0
    assert not DuplicateGroup.objects.filter(status=GroupStatus.OPEN).exists()


def test_a_failing_scan_is_marked_failed(org, scan, monkeypatch):
    f.enterprise(org.rep_a)

    def broken(run):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scan_module, "candidate_pairs", broken)
    run = scan(org.manager)

    assert run.status == ScanStatus.FAILED
    assert "disk full" in run.error
    assert run.finished_at is not None


# --- through the API ------------------------------------------------------------------------


def test_scan_through_the_api_reports_progress(org, client_for, django_capture_on_commit_callbacks):
    legacy_company(org.rep_a, "北京字节跳动科技有限公司")
    legacy_company(org.rep_a, "北京字节跳动科技股份有限公司")
    client = client_for(org.manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/duplicates/scans")
    assert response.status_code == 202
    scan_id = response.json()["id"]

    detail = client.get(f"/api/v1/duplicates/scans/{scan_id}").json()
    assert detail["status"] == "done"
    assert detail["processed"] == detail["total"] == 2
    assert detail["groups_found"] == 1

    # another user's scan is not theirs to look at
    assert client_for(org.rep_a).get(f"/api/v1/duplicates/scans/{scan_id}").status_code == 404


def test_a_rep_may_not_start_a_scan(org, client_for):
    response = client_for(org.rep_a).post("/api/v1/duplicates/scans")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_groups_are_listed_by_similarity_with_visible_members_only(org, scan, client_for):
    # Given a name group of rep_a's, an exact group of rep_a's and rep_b's, and one of rep_c's
    names = [
        legacy_company(org.rep_a, "北京字节跳动科技有限公司"),
        legacy_company(org.rep_a, "北京字节跳动科技股份有限公司"),
    ]
    exact = [f.individual(org.rep_a, mobile="13700000001"), f.individual(org.rep_b)]
    legacy_duplicate(exact[1], mobile="13700000001", name=exact[0].name)
    hidden = [f.individual(org.rep_c, mobile="13700000002"), f.individual(org.rep_c)]
    legacy_duplicate(hidden[1], mobile="13700000002")
    scan(org.manager)

    # When the manager lists groups
    groups = client_for(org.manager).get("/api/v1/duplicates/groups").json()
    # Then the certain group comes first, and rep_c's (outside the department) is not there
    assert [{m["id"] for m in g["members"]} for g in groups] == [
        {c.pk for c in exact},
        {c.pk for c in names},
    ]
    assert groups[0]["score"] == 100
    assert groups[0]["similarity"] == "100%"
    assert groups[1]["similarity"] == f"{groups[1]['score']}%"
    assert groups[1]["members"][0]["owner"] == "张伟"

    # And rep_a sees only the group whose members are all theirs
    mine = client_for(org.rep_a).get("/api/v1/duplicates/groups").json()
    assert [{m["id"] for m in g["members"]} for g in mine] == [{c.pk for c in names}]

    # And nobody can dismiss a group they cannot see
    hidden_group = DuplicateGroup.objects.get(customers=hidden[0])
    response = client_for(org.manager).post(f"/api/v1/duplicates/groups/{hidden_group.pk}/dismiss")
    assert response.status_code == 404


def test_a_rep_may_not_dismiss_a_group(org, scan, client_for):
    legacy_company(org.rep_a, "北京字节跳动科技有限公司")
    legacy_company(org.rep_a, "北京字节跳动科技股份有限公司")
    scan(org.manager)
    group = DuplicateGroup.objects.get()

    response = client_for(org.rep_a).post(f"/api/v1/duplicates/groups/{group.pk}/dismiss")

    assert response.status_code == 403
    group.refresh_from_db()
    assert group.status == GroupStatus.OPEN


def test_group_list_selector_costs_a_fixed_number_of_queries(
    org, scan, django_assert_max_num_queries
):
    for i in range(6):
        base = f.individual(org.rep_a, mobile=f"1370000000{i}")
        legacy_duplicate(f.individual(org.rep_a), mobile=base.mobile)
    scan(org.manager)
    with django_assert_max_num_queries(8):
        groups = selectors.group_list(user=org.manager)
        assert all(m.owner for g in groups for m in g["members"])
    assert len(groups) == 6


def test_the_check_endpoint_is_not_the_scan(org, client_for):
    # The duplicate check of a single record does not start or need a scan.
    response = post_json(client_for(org.rep_a), "/api/v1/customers/duplicates/check", {})
    assert response.status_code == 200
