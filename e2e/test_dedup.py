"""A manager finds duplicates with a scan, merges them keeping chosen values, and undoes the
merge — in a real browser (htmx polling, CSP)."""

import re

import pytest
from playwright.sync_api import expect

from kehu.core.testing import PASSWORD
from kehu.customers.models import Customer
from kehu.customers.tests import factories as f
from kehu.dedup.tests.conftest import legacy_duplicate

from .test_login import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_manager_scans_merges_and_undoes(browser_page):
    page = browser_page
    org = f.build_org()
    first = f.enterprise(
        org.rep_a, name="北京字节跳动科技有限公司", address="北京市海淀区中关村大街1号"
    )
    # entered before the check existed: no credit code, no "create anyway" remembered
    second = f.customer_create(
        org.rep_b, f.enterprise_data(uscc="", address="北京市海淀区知春路63号")
    )
    legacy_duplicate(second, name="北京字节跳动科技股份有限公司")
    sign_in(page, "manager", PASSWORD)

    # Given the duplicate page, reached from the customer list
    page.goto("/customers/")
    page.get_by_role("link", name="查重").click()
    expect(page.get_by_role("heading", name="重复客户")).to_be_visible()
    expect(page.get_by_text("没有待处理的重复客户。")).to_be_visible()

    # When a scan is started, its progress is shown and the groups appear when it is done
    page.get_by_role("button", name="开始扫描").click()
    expect(page.locator("#scan-status")).to_contain_text(re.compile("上次扫描|扫描"))
    group = page.locator(".dedup-group")
    expect(group).to_have_count(1, timeout=15_000)
    expect(group).to_contain_text(first.name)
    expect(group).to_contain_text(second.name)
    expect(page.locator("#scan-status")).to_contain_text("发现 1 组")

    # When the manager merges, keeping the second record's address
    group.get_by_role("link", name="合并").click()
    expect(page.get_by_role("heading", name="合并客户")).to_be_visible()
    page.locator(f'input[name="f_address"][value="{second.pk}"]').check()
    page.get_by_role("button", name=re.compile("合并到")).click()

    # Then the result page confirms it and offers undo
    expect(page.get_by_text(re.compile("已将 .* 合并到"))).to_be_visible()
    assert not Customer.objects.filter(pk=second.pk).exists()
    assert f.fresh(first).address == second.address

    # When undo is pressed, the merged record is back
    page.get_by_role("button", name="撤销合并").click()
    expect(page.get_by_text(re.compile("已撤销合并"))).to_be_visible()
    assert Customer.objects.filter(pk=second.pk, number=second.number).exists()
    assert f.fresh(first).address == first.address
