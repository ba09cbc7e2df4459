"""Duplicate review pages: the group list with the scan button and its progress, the merge page
(choose the survivor, only differing fields, masked personal values), undo, and the hint a
customer form shows while someone types. Out of scope is 404; acting without the merge
permission is 403."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from kehu.accounts.choices import DataScope
from kehu.core.testing import make_role, make_user, session_client
from kehu.customers.models import Contact, Customer
from kehu.customers.tests import factories as f
from kehu.dedup.choices import GroupStatus, ScanStatus
from kehu.dedup.models import DuplicateGroup, MergeRecord, ScanRun

from .conftest import legacy_duplicate

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def grouped(org, scan):
    """Two records of one company (rep_a's and rep_b's) grouped by a scan."""
    first = f.enterprise(
        org.rep_a,
        name="北京字节跳动科技有限公司",
        uscc=f.VALID_USCC,
        address="北京市海淀区中关村大街1号",
        contacts=[f.contact_data(name="李雷")],
    )
    # entered before the check existed (no "create anyway" remembered)
    second = f.customer_create(
        org.rep_b, f.enterprise_data(uscc="", address=""), contacts=[f.contact_data(name="韩梅梅")]
    )
    legacy_duplicate(second, name="北京字节跳动科技股份有限公司")
    Customer.objects.filter(pk=second.pk).update(status=first.status)
    scan(org.manager)
    return first, second, DuplicateGroup.objects.get()


# --- the group list ---------------------------------------------------------------------------


def test_group_list_shows_groups_with_members_and_reasons(org, grouped):
    first, second, group = grouped
    response = session_client(org.manager).get(reverse("dedup:groups"))
    page = response.content.decode()
    assert response.status_code == 200
    assert first.name in page and second.name in page
    assert first.number in page and second.number in page
    assert "名称核心相同" in page
    assert f"相似度 {group.score}%" in page
    assert "张伟" in page and "李娜" in page  # owners
    assert "开始扫描" in page
    assert f"{reverse('dedup:merge')}?group={group.pk}" in page


def test_an_outsider_sees_no_group_of_records_outside_their_scope(org, grouped):
    first, _, _ = grouped
    response = session_client(org.rep_c).get(reverse("dedup:groups"))
    page = response.content.decode()
    assert response.status_code == 200
    assert first.name not in page
    assert "没有待处理的重复客户" in page
    assert "开始扫描" not in page  # a rep may not scan


def test_group_list_needs_sign_in(client):
    response = client.get(reverse("dedup:groups"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_htmx_gets_the_groups_only(org, grouped):
    response = session_client(org.manager).get(reverse("dedup:groups"), **HTMX)
    page = response.content.decode()
    assert 'id="dedup-groups"' in page
    assert "<html" not in page


# --- scan and its progress --------------------------------------------------------------------


def test_a_running_scan_is_polled_every_two_seconds(org):
    # Given a scan of the manager's that is running
    run = ScanRun.objects.create(
        started_by=org.manager, status=ScanStatus.RUNNING, total=1000, processed=400
    )
    client = session_client(org.manager)

    # Then the page shows its progress and polls it
    page = client.get(reverse("dedup:groups")).content.decode()
    status_url = reverse("dedup:scan_status", args=[run.pk])
    assert f'hx-get="{status_url}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert "400 / 1000" in page

    # When it is polled while running, it keeps polling and the groups are not reloaded
    response = client.get(status_url, **HTMX)
    assert 'hx-trigger="every 2s"' in response.content.decode()
    assert "HX-Trigger" not in response

    # When it has finished, the poll stops and the groups on the page reload
    ScanRun.objects.filter(pk=run.pk).update(status=ScanStatus.DONE, processed=1000)
    response = client.get(status_url, **HTMX)
    assert "every 2s" not in response.content.decode()
    assert response["HX-Trigger"] == "dedup-scan-finished"


def test_someone_elses_scan_is_404(org):
    run = ScanRun.objects.create(started_by=org.manager)
    response = session_client(org.rep_a).get(reverse("dedup:scan_status", args=[run.pk]))
    assert response.status_code == 404


def test_starting_a_scan_from_the_page(org, grouped, django_capture_on_commit_callbacks):
    client = session_client(org.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dedup:scan_start"), **HTMX)
    assert response.status_code == 200
    assert 'id="scan-status"' in response.content.decode()
    assert ScanRun.objects.filter(started_by=org.manager).count() == 2
    assert ScanRun.objects.filter(started_by=org.manager).first().status == ScanStatus.DONE


def test_a_rep_may_not_start_a_scan_from_the_page(org):
    response = session_client(org.rep_a).post(reverse("dedup:scan_start"))
    assert response.status_code == 403
    assert not ScanRun.objects.exists()


def test_dismissing_a_group_from_the_page(org, grouped):
    _, _, group = grouped
    response = session_client(org.manager).post(reverse("dedup:group_dismiss", args=[group.pk]))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == GroupStatus.DISMISSED


# --- merge ------------------------------------------------------------------------------------


def test_merge_page_shows_only_the_fields_that_differ(org, grouped):
    first, second, group = grouped
    response = session_client(org.manager).get(reverse("dedup:merge"), {"group": group.pk})
    page = response.content.decode()
    assert response.status_code == 200
    # survivor choice
    assert f'name="survivor" value="{first.pk}" checked' in page
    assert f'name="survivor" value="{second.pk}"' in page
    # differing fields, each with a radio per value
    assert 'data-field="name"' in page
    assert 'data-field="uscc"' in page
    assert 'data-field="address"' in page
    assert 'data-field="status"' not in page  # same on both
    assert 'data-field="kind"' not in page
    # an empty survivor value does not win over a filled one
    assert f'name="f_name" value="{first.pk}" checked' in page
    assert f'name="f_address" value="{first.pk}" checked' in page


def test_choosing_another_survivor_reloads_the_choices(org, grouped):
    first, second, group = grouped
    response = session_client(org.manager).get(
        reverse("dedup:merge"), {"group": group.pk, "survivor": second.pk}, **HTMX
    )
    page = response.content.decode()
    assert 'id="merge-body"' in page and "<html" not in page
    assert f'name="survivor" value="{second.pk}" checked' in page
    assert f'name="f_name" value="{second.pk}" checked' in page
    # the survivor's address is empty, so the other record's is proposed
    assert f'name="f_address" value="{first.pk}" checked' in page


def test_merging_from_the_page_then_undoing(org, grouped):
    first, second, _ = grouped
    client = session_client(org.manager)

    # When the manager keeps the second record with the first's address
    response = client.post(
        reverse("dedup:merge"),
        {
            "ids": [first.pk, second.pk],
            "survivor": second.pk,
            "f_name": second.pk,
            "f_address": first.pk,
        },
    )

    # Then the first is merged into the second and the result page offers undo
    record = MergeRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dedup:merge_detail", args=[record.pk])
    assert not Customer.objects.filter(pk=first.pk).exists()
    kept = f.fresh(second)
    assert kept.address == first.address
    assert kept.name == second.name
    assert set(Contact.objects.filter(customer=kept).values_list("name", flat=True)) == {
        "李雷",
        "韩梅梅",
    }
    page = client.get(response["Location"]).content.decode()
    assert "撤销合并" in page
    assert first.number in page
    assert "合并到" in page  # the success message

    # When undo is pressed
    response = client.post(reverse("dedup:merge_undo", args=[record.pk]))

    # Then the first record is back and the page says so, without the button
    assert response.status_code == 302
    assert Customer.objects.filter(pk=first.pk, number=first.number).exists()
    assert f.fresh(second).address == ""
    page = client.get(response["Location"]).content.decode()
    assert "已撤销合并" in page
    assert 'action="' + reverse("dedup:merge_undo", args=[record.pk]) not in page


def test_undoing_twice_says_it_is_already_undone(org, grouped):
    first, second, _ = grouped
    client = session_client(org.manager)
    client.post(reverse("dedup:merge"), {"ids": [first.pk, second.pk], "survivor": first.pk})
    record = MergeRecord.objects.get()
    client.post(reverse("dedup:merge_undo", args=[record.pk]))

    response = client.post(reverse("dedup:merge_undo", args=[record.pk]), follow=True)

    assert "该合并已撤销" in response.content.decode()


def test_merge_page_with_a_record_outside_edit_scope_is_404(org):
    # rep_c's customer is outside the manager's department
    mine, theirs = f.enterprise(org.rep_a), f.enterprise(org.rep_c)
    client = session_client(org.manager)

    assert client.get(reverse("dedup:merge"), {"ids": [mine.pk, theirs.pk]}).status_code == 404
    response = client.post(
        reverse("dedup:merge"), {"ids": [mine.pk, theirs.pk], "survivor": mine.pk}
    )
    assert response.status_code == 404
    assert Customer.objects.filter(pk=theirs.pk).exists()


def test_an_outsider_gets_404_for_the_merge_page_and_the_merge_record(org, grouped):
    first, second, group = grouped
    manager_client = session_client(org.manager)
    manager_client.post(reverse("dedup:merge"), {"ids": [first.pk, second.pk]})
    record = MergeRecord.objects.get()
    # a manager of the other department, allowed to merge but not these records
    outsider = make_user("manager.2", org.other, "sales_manager")
    client = session_client(outsider)

    assert client.get(reverse("dedup:merge"), {"group": group.pk}).status_code == 404
    assert client.get(reverse("dedup:merge_detail", args=[record.pk])).status_code == 404
    assert client.post(reverse("dedup:merge_undo", args=[record.pk])).status_code == 404
    assert not Customer.objects.filter(pk=second.pk).exists()


def test_merging_a_record_into_itself_from_the_page_is_404(org):
    # one record is not two: there is nothing to merge
    mine = f.enterprise(org.rep_a)
    response = session_client(org.manager).get(reverse("dedup:merge"), {"ids": [mine.pk, mine.pk]})
    assert response.status_code == 404


def test_merging_an_enterprise_and_an_individual_is_refused(org):
    company, person = f.enterprise(org.rep_a), f.individual(org.rep_a)
    client = session_client(org.manager)
    page = client.get(reverse("dedup:merge"), {"ids": [company.pk, person.pk]}).content.decode()
    assert "企业客户和个人客户不能合并" in page

    response = client.post(
        reverse("dedup:merge"), {"ids": [company.pk, person.pk], "survivor": company.pk}
    )
    assert response.status_code == 422
    assert Customer.objects.filter(pk=person.pk).exists()


def test_a_rep_may_not_open_the_merge_page(org):
    one, two = f.enterprise(org.rep_a), f.enterprise(org.rep_a)
    response = session_client(org.rep_a).get(reverse("dedup:merge"), {"ids": [one.pk, two.pk]})
    assert response.status_code == 403


def test_personal_values_on_the_merge_page_are_masked_without_reveal(org):
    # Given someone who may merge their department's records but not reveal personal data
    role = make_role("merger", DataScope.DEPARTMENT)
    role.permissions.add(Permission.objects.get(codename="add_mergerecord"))
    merger = make_user("merger", org.sales, "merger")
    one = f.individual(org.rep_s, mobile="13812345678", email="zhang@example.com")
    two = legacy_duplicate(f.individual(org.rep_s), email="zhangwei@example.com")

    page = (
        session_client(merger)
        .get(reverse("dedup:merge"), {"ids": [one.pk, two.pk]})
        .content.decode()
    )

    assert "138****5678" in page
    assert "13812345678" not in page
    assert "z***@example.com" in page
    assert "zhang@example.com" not in page


# --- the hint while typing --------------------------------------------------------------------


def test_hint_links_a_visible_candidate(org):
    mine = f.enterprise(org.rep_a, name="北京字节跳动科技有限公司")
    response = session_client(org.rep_a).get(
        reverse("dedup:hint"),
        {"kind": "enterprise", "name": "字节跳动科技股份有限公司", "region_city": "110100"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("customers:detail", args=[mine.pk]) in page
    assert mine.name in page and mine.number in page
    assert "负责人 张伟" in page


def test_hint_shows_only_the_owner_of_a_candidate_outside_scope(org):
    theirs = f.individual(org.rep_c, name="王秘密", mobile="13812345678")
    pool = f.customer_create(
        org.manager, f.enterprise_data(name="杭州云帆智能科技有限公司"), owner=None
    )

    by_mobile = session_client(org.rep_a).get(
        reverse("dedup:hint"), {"kind": "individual", "name": "王", "mobile": "138 1234 5678"}
    )
    by_name = session_client(org.rep_a).get(
        reverse("dedup:hint"),
        {"kind": "enterprise", "name": "云帆智能科技", "region_province": "330000",
         "region_city": "330100"},
    )  # fmt: skip

    page = by_mobile.content.decode()
    assert "已存在：负责人 陈静" in page
    assert "不能重复创建" in page
    for secret in (theirs.name, theirs.number, reverse("customers:detail", args=[theirs.pk])):
        assert secret not in page
    page = by_name.content.decode()
    assert "已存在：负责人 公海" in page
    assert pool.name not in page and pool.number not in page


def test_hint_of_a_contact_mobile_and_excluding_the_record_being_edited(org):
    mine = f.enterprise(org.rep_a, contacts=[f.contact_data(mobile="13912345678")])
    client = session_client(org.rep_a)

    found = client.get(reverse("dedup:hint"), {"contact_mobile": "13912345678"})
    excluded = client.get(
        reverse("dedup:hint"), {"contact_mobile": "13912345678", "exclude_id": mine.pk}
    )

    assert mine.number in found.content.decode()
    assert excluded.content.decode().strip() == ""


def test_hint_reads_the_phones_of_the_kind_being_entered(org):
    # Given a person with a mobile
    person = f.individual(org.rep_a, mobile="13812345678")
    client = session_client(org.rep_a)
    # When a company form still carries that mobile in its hidden individual section
    as_company = client.get(reverse("dedup:hint"), {"kind": "enterprise", "mobile": "13812345678"})
    # Then it is not a hint; as a contact's mobile, or for a person, it is
    assert person.number not in as_company.content.decode()
    for params in (
        {"kind": "enterprise", "contact_mobile": "13812345678"},
        {"kind": "individual", "mobile": "13812345678", "contact_mobile": ""},
    ):
        assert person.number in client.get(reverse("dedup:hint"), params).content.decode()


def test_hint_of_nothing_is_empty(org):
    f.enterprise(org.rep_a)
    response = session_client(org.rep_a).get(reverse("dedup:hint"), {"kind": "enterprise"})
    assert response.status_code == 200
    assert response.content == b""


def test_customer_list_links_to_duplicates(org):
    page = session_client(org.rep_a).get(reverse("customers:list")).content.decode()
    assert f'href="{reverse("dedup:groups")}"' in page
