"""The whole-base scan: customers sharing an exact key or a name core, or with very similar
names, form groups listed by confidence; different companies do not; a group someone dismissed
is not raised again; starting a scan needs the merge permission."""

import pytest

from kehu.customers.models import Customer
from kehu.customers.tests import factories as f
from kehu.dedup import scan as scan_module
from kehu.dedup import selectors
from kehu.dedup.choices import GroupStatus, ScanStatus
from kehu.dedup.models import DuplicateGroup

from .conftest import legacy_contact_mobile, legacy_duplicate, post_json

pytestmark = pytest.mark.django_db


def similar(rep, name: str) -> Customer:
    """A customer created through "create anyway" (its name resembles one that exists)."""
    return f.customer_create(rep, f.enterprise_data(name=name), allow_similar=True)


def open_groups() -> list[tuple[set[int], float, list[str]]]:
    return [
        ({c.pk for c in g.customers.all()}, g.confidence, g.reasons)
        for g in DuplicateGroup.objects.filter(status=GroupStatus.OPEN)
    ]


def test_scan_groups_customers_sharing_an_exact_key(org, scan):
    # Given pairs that share a credit code, a contact mobile, an individual's mobile and email
    a1 = f.enterprise(org.rep_a)
    a2 = legacy_duplicate(f.enterprise(org.rep_a), uscc=a1.uscc)
    b1 = f.enterprise(org.rep_a, contacts=[f.contact_data(mobile="13812345678")])
    b2 = f.enterprise(org.rep_b)
    legacy_contact_mobile(f.contact(b2, org.rep_b), "13812345678")
    c1 = f.individual(org.rep_a, mobile="13700000001")
    c2 = legacy_duplicate(f.individual(org.rep_c), mobile="13700000001")
    d1 = f.individual(org.rep_a, email="same@example.com")
    d2 = legacy_duplicate(f.individual(org.rep_a), email="same@example.com")
    f.enterprise(org.rep_a)  # alone

    # When a scan runs
    run = scan(org.manager)

    # Then each pair is one group, certain, with its reason
    assert run.status == ScanStatus.DONE
    assert run.groups_found == 4
    assert run.total == Customer.objects.count() == run.processed
    found = {frozenset(ids): (conf, reasons) for ids, conf, reasons in open_groups()}
    assert found[frozenset({a1.pk, a2.pk})] == (1.0, ["统一社会信用代码相同"])
    assert found[frozenset({b1.pk, b2.pk})] == (1.0, ["手机号相同"])
    assert found[frozenset({c1.pk, c2.pk})] == (1.0, ["手机号相同"])
    assert found[frozenset({d1.pk, d2.pk})] == (1.0, ["邮箱相同"])


def test_scan_groups_same_and_similar_names_by_confidence(org, scan):
    # Given one company entered three times, and a name with a typo
    same = [
        f.enterprise(org.rep_a, name="北京字节跳动科技有限公司"),
        similar(org.rep_a, "字节跳动科技股份有限公司"),
        similar(org.rep_b, "字节跳动 科技（北京）有限责任公司"),
    ]
    typo = [
        f.enterprise(org.rep_a, name="杭州云帆智能科技发展有限公司"),
        similar(org.rep_a, "云帆智能化科技发展有限公司"),
    ]

    # When a scan runs
    scan(org.manager)

    # Then both are groups; the same core is surer than the similar name
    found = open_groups()
    assert [ids for ids, _, _ in found] == [{c.pk for c in same}, {c.pk for c in typo}]
    (_, same_conf, same_reasons), (_, typo_conf, typo_reasons) = found
    assert same_conf == 0.95
    assert same_reasons == ["名称核心相同"]
    assert 0.8 < typo_conf < same_conf
    assert typo_reasons == ["名称相似"]


def test_scan_leaves_different_companies_apart(org, scan):
    # Given different companies, some sharing the first characters of their names
    for name in [
        "杭州云帆智能科技有限公司",
        "杭州云帆物流有限公司",
        "云帆教育科技有限公司",
        "深圳市腾讯科技有限公司",
        "华为技术有限公司",
        "华信技术有限公司",
        "北京字节跳动科技有限公司",
    ]:
        similar(org.rep_a, name)
    # and people with the same common name but different mobiles
    f.individual(org.rep_a, name="张伟", mobile="13800000001")
    f.individual(org.rep_b, name="张伟", mobile="13800000002")

    run = scan(org.manager)

    assert run.status == ScanStatus.DONE
    assert run.groups_found == 0
    assert open_groups() == []


def test_a_dismissed_group_does_not_come_back(org, scan, client_for):
    # Given a group found by a scan
    first = f.enterprise(org.rep_a, name="北京字节跳动科技有限公司")
    second = similar(org.rep_a, "字节跳动科技有限公司")
    scan(org.manager)
    [group] = DuplicateGroup.objects.all()

    # When the manager says they are not the same
    response = client_for(org.manager).post(f"/api/v1/duplicates/groups/{group.pk}/dismiss")
    assert response.status_code == 204

    # Then later scans do not raise it again
    run = scan(org.manager)
    assert run.groups_found == 0
    assert open_groups() == []
    group.refresh_from_db()
    assert group.status == GroupStatus.DISMISSED

    # …until someone else joins them: that is a new question
    third = similar(org.rep_a, "北京市字节跳动科技股份有限公司")
    scan(org.manager)
    assert [ids for ids, _, _ in open_groups()] == [{first.pk, second.pk, third.pk}]


def test_a_new_scan_replaces_the_open_groups_of_the_last(org, scan):
    one = f.enterprise(org.rep_a, name="北京字节跳动科技有限公司")
    similar(org.rep_a, "字节跳动科技有限公司")
    scan(org.manager)
    # the duplicate is fixed by hand
    Customer.objects.filter(pk=one.pk).update(name="深圳市腾讯科技有限公司")
    one.refresh_from_db()
    from kehu.dedup import keys

    keys.reindex(one)

    run = scan(org.manager)

    assert run.groups_found == 0
    assert not DuplicateGroup.objects.filter(status=GroupStatus.OPEN).exists()


def test_a_failing_scan_is_marked_failed(org, scan, monkeypatch):
    f.enterprise(org.rep_a)

    def broken(links, run):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scan_module, "_fuzzy_links", broken)
    run = scan(org.manager)

    assert run.status == ScanStatus.FAILED
    assert "disk full" in run.error
    assert run.finished_at is not None


# --- through the API ------------------------------------------------------------------------


def test_scan_through_the_api_reports_progress(org, client_for, django_capture_on_commit_callbacks):
    f.enterprise(org.rep_a, name="北京字节跳动科技有限公司")
    similar(org.rep_a, "字节跳动科技有限公司")
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


def test_groups_are_listed_most_confident_first_with_visible_members_only(org, scan, client_for):
    # Given a name group of rep_a's, an exact group of rep_a's and rep_b's, and one of rep_c's
    names = [
        f.enterprise(org.rep_a, name="北京字节跳动科技有限公司"),
        similar(org.rep_a, "字节跳动科技有限公司"),
    ]
    exact = [f.individual(org.rep_a, mobile="13700000001"), f.individual(org.rep_b)]
    legacy_duplicate(exact[1], mobile="13700000001")
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
    assert groups[0]["confidence"] == 1.0
    assert groups[1]["members"][0]["owner"] == "张伟"

    # And rep_a sees only the group whose members are all theirs
    mine = client_for(org.rep_a).get("/api/v1/duplicates/groups").json()
    assert [{m["id"] for m in g["members"]} for g in mine] == [{c.pk for c in names}]

    # And nobody can dismiss a group they cannot see
    hidden_group = DuplicateGroup.objects.get(customers=hidden[0])
    response = client_for(org.manager).post(f"/api/v1/duplicates/groups/{hidden_group.pk}/dismiss")
    assert response.status_code == 404


def test_a_rep_may_not_dismiss_a_group(org, scan, client_for):
    f.enterprise(org.rep_a, name="北京字节跳动科技有限公司")
    similar(org.rep_a, "字节跳动科技有限公司")
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
