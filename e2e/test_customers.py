"""The customer pages as a sales rep and a manager use them, in a real browser: the new-customer
form (live validation, kind switch, cascading regions), the record page (number, budget, region,
timeline, masked phone and 查看), live search, scope (404), editing on a phone with a stale-version
conflict, and adding contacts inline."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kehu.audit.models import RevealLog
from kehu.core.testing import PASSWORD
from kehu.customers import services
from kehu.customers.models import Contact, Customer
from kehu.customers.tests import factories as f

from .test_login import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MOBILE_ERROR = "手机号应为 11 位数字，以 13-19 开头"
USCC_ERROR = "统一社会信用代码校验位不正确（GB 32100-2015）"


@pytest.fixture
def page(browser_page):
    """The browser page, failing the test on a script error, a console error (CSP violations
    among them) or a server error; 4xx answers are part of the flows (422 form, 404 scope)."""
    problems = []

    def on_console(message):
        if message.type != "error" or message.text.startswith("Failed to load resource"):
            return
        # htmx logs a request it aborts itself as an error: the duplicate hint replaces its
        # pending request when the form changes again (hx-sync="this:replace").
        if message.text in {"htmx:sendAbort", "htmx:afterRequest"}:
            return
        problems.append(f"console: {message.text} ({message.location['url']})")

    browser_page.on("console", on_console)
    browser_page.on("pageerror", lambda error: problems.append(f"script: {error}"))
    browser_page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 500 else None,
    )
    yield browser_page
    assert problems == [], "\n".join(problems)


def expect_hidden(locator):
    """Present in the page but not shown (a missing element would pass to_be_hidden too)."""
    expect(locator).to_be_attached()
    expect(locator).to_be_hidden()


def signed_in(page, username):
    sign_in(page, username, PASSWORD)
    expect(page.get_by_role("heading", name=re.compile("今日"))).to_be_visible()


def field_value(page, label):
    """The value the record page shows for a field (its <dd>), by the field's label (<dt>)."""
    return page.locator(f'dl.fields > div:has(> dt:text-is("{label}")) > dd')


def htmx_idle(page):
    """Wait until no htmx request is in flight (htmx marks the requesting element)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def leave(page, field):
    """Leave a field as a person does before pressing 保存, and wait for the checks this sets
    off (live validation, duplicate hint) to be answered. The tests' in-memory SQLite database,
    shared by the live server's threads, cannot answer such a read during the save's write
    ("database table is locked"); the file database in WAL mode, and PostgreSQL, can."""
    field.press("Tab")
    htmx_idle(page)


def settled(locator):
    """Wait for what htmx swapped in to be live: htmx wires up swapped-in elements when they
    settle (20 ms later); a choice made or a form sent before that is not htmx's."""
    expect(locator).not_to_have_class(re.compile(r"\bhtmx-added\b"))


def region_settled(page, select):
    """The region picker swapped in to fill `select` is there and live."""
    expect(select).to_be_enabled()
    settled(page.locator(".region-picker"))


def results(page):
    return page.locator("#customer-results")


def test_rep_creates_an_enterprise_customer(page):
    org = f.build_org()
    signed_in(page, "rep.a")

    # Given the customer list, reached from the navigation
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="客户").click()
    expect(page.get_by_role("heading", name="客户", exact=True)).to_be_visible()

    # When the rep starts a new enterprise customer
    page.get_by_role("link", name="新建客户").click()
    expect(page.get_by_role("heading", name="新建客户")).to_be_visible()
    page.wait_for_load_state()  # htmx and Alpine (deferred scripts) are running
    page.get_by_role("radio", name="企业客户").check()
    page.get_by_label("客户名称").fill("杭州西湖龙井茶业有限公司")

    # and types a credit code with a wrong check character and a short mobile,
    uscc = page.get_by_label("统一社会信用代码")
    uscc.fill(f.INVALID_USCC)
    uscc.press("Tab")
    contact_mobile = page.get_by_label("主联系人手机号")
    page.get_by_label("主联系人姓名").fill("王芳")
    contact_mobile.fill("1381234")
    contact_mobile.press("Tab")

    # Then each field says what is wrong as soon as it is left, and nothing is saved
    expect(page.locator("#err-uscc")).to_have_text(USCC_ERROR)
    expect(uscc).to_have_accessible_description(USCC_ERROR)
    expect(page.locator("#err-contact_mobile")).to_have_text(MOBILE_ERROR)
    expect(page).to_have_url(re.compile(r"/customers/new/$"))
    assert not Customer.objects.exists()

    # When the rep corrects them, the messages go away
    uscc.fill(f.VALID_USCC)
    uscc.press("Tab")
    contact_mobile.fill("13812341234")
    contact_mobile.press("Tab")
    expect(page.locator("#err-uscc")).to_be_empty()
    expect(page.locator("#err-contact_mobile")).to_be_empty()

    # and picks 浙江省 → 杭州市 → 西湖区: each choice fills the next select
    province = page.get_by_role("combobox", name="省份")
    city = page.get_by_role("combobox", name="城市")
    district = page.get_by_role("combobox", name="区县")
    expect(city).to_be_disabled()
    province.select_option(label="浙江省")
    region_settled(page, city)
    city.select_option(label="杭州市")
    region_settled(page, district)
    district.select_option(label="西湖区")
    expect(district).to_have_value("330106")
    expect(city).to_have_value("330100")
    expect(province).to_have_value("330000")

    # and types a budget whose low end is above the high end: the high end says so,
    budget_min = page.get_by_label("预算下限（万元）")
    budget_max = page.get_by_label("预算上限（万元）")
    budget_min.fill("90")
    budget_min.press("Tab")
    budget_max.fill("80")
    budget_max.press("Tab")
    expect(page.locator("#err-budget_max")).to_have_text("预算上限不能小于下限")
    # and correcting the low end to 50 clears the high end's message too
    budget_min.fill("50")
    leave(page, budget_min)
    expect(page.locator("#err-budget_max")).to_be_empty()
    assert not Customer.objects.exists()

    # When the rep saves
    page.get_by_role("button", name="保存").click()

    # Then the record page shows the new number, the budget, the region and the timeline
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    customer = Customer.objects.get()
    assert page.url.endswith(f"/customers/{customer.pk}/")
    expect(page.get_by_role("heading", name="杭州西湖龙井茶业有限公司")).to_be_visible()
    number = re.compile(rf"^C{timezone.localdate():%Y%m%d}\d{{3}}$")
    expect(page.locator(".record-meta .c-number")).to_have_text(number)
    assert number.match(customer.number)
    expect(page.get_by_text(f"已创建客户 {customer.number}")).to_be_visible()
    expect(field_value(page, "预算（万元）")).to_have_text("50.00–80.00 万元")
    expect(field_value(page, "所在地区")).to_have_text("浙江省-杭州市-西湖区")
    expect(field_value(page, "统一社会信用代码")).to_have_text(f.VALID_USCC)
    contacts = page.locator("#contacts")
    expect(contacts.locator("li.contact")).to_have_count(1)
    expect(contacts.locator("li.contact")).to_contain_text("王芳")
    expect(contacts.locator("li.contact")).to_contain_text("主联系人")
    timeline = page.locator(".timeline-card")
    expect(timeline.get_by_role("heading", name="时间线")).to_be_visible()
    expect(timeline.locator(".timeline > li").first).to_contain_text("创建客户")
    expect(timeline).to_contain_text(str(org.rep_a))

    # and the 变更记录 opens on demand
    page.get_by_text("变更记录").click()
    expect(page.locator(".history-body")).to_have_text("还没有变更")
    assert (customer.owner, customer.region_id) == (org.rep_a, "330106")
    assert (customer.budget_min, customer.budget_max) == (50, 80)


def test_live_validation_keeps_the_latest_message_when_answers_are_slow(page):
    """The budget's two ends are checked together (each check rewrites both messages): the
    check of the low end, answered late, must not wipe the message of the later check of the
    high end, nor leave that check's answer nowhere to go."""
    f.build_org()
    signed_in(page, "rep.a")
    page.goto("/customers/new/")
    held = []

    def hold(route):
        held.append(route)

    page.route("**/customers/validate/?field=budget_min", hold)
    budget_min = page.get_by_label("预算下限（万元）")
    budget_max = page.get_by_label("预算上限（万元）")

    # When the low end is left while the server is slow to answer
    with page.expect_request("**/customers/validate/?field=budget_min"):
        budget_min.fill("90")
        budget_min.press("Tab")
    # and the high end, below it, is typed and left before that answer arrives
    budget_max.fill("80")
    budget_max.press("Tab")
    assert len(held) == 1
    with page.expect_response("**/customers/validate/?field=budget_min"):
        held[0].continue_()
    htmx_idle(page)

    # Then the high end says it is below the low end once every answer is in
    expect(page.locator("#err-budget_max")).to_have_text("预算上限不能小于下限")
    expect(page.locator("#err-budget_min")).to_be_empty()


def test_switching_to_individual_shows_the_individual_fields(page):
    f.build_org()
    signed_in(page, "rep.a")
    page.goto("/customers/new/")

    # Given a new enterprise customer: enterprise fields shown, individual ones hidden
    expect(page.get_by_role("radio", name="企业客户")).to_be_checked()
    expect(page.get_by_label("统一社会信用代码")).to_be_visible()
    expect(page.get_by_label("主联系人手机号")).to_be_visible()
    expect_hidden(page.get_by_label("手机号", exact=True))

    # When the kind is switched to 个人客户
    page.get_by_role("radio", name="个人客户").check()

    # Then the individual fields replace the enterprise ones
    expect(page.get_by_label("手机号", exact=True)).to_be_visible()
    expect(page.get_by_label("性别")).to_be_visible()
    expect_hidden(page.get_by_label("统一社会信用代码"))
    expect_hidden(page.get_by_label("主联系人手机号"))

    # When saved without a mobile, the mobile is required and the form stays individual
    page.get_by_label("客户名称").fill("林小雨")
    leave(page, page.get_by_label("客户名称"))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#err-mobile")).to_have_text("个人客户须填写手机号")
    expect(page.get_by_role("radio", name="个人客户")).to_be_checked()
    expect_hidden(page.get_by_label("统一社会信用代码"))
    assert not Customer.objects.exists()

    # When the mobile is given, the individual customer is created
    page.get_by_label("手机号", exact=True).fill("13912345678")
    leave(page, page.get_by_label("手机号", exact=True))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="林小雨")).to_be_visible()
    expect(page.locator(".record-meta")).to_contain_text("个人客户")
    expect(field_value(page, "手机号")).to_contain_text("139****5678")
    assert Customer.objects.get().mobile == "13912345678"

    # And switching back to 企业客户 on a new form brings the enterprise fields back
    page.goto("/customers/new/")
    page.get_by_role("radio", name="个人客户").check()
    page.get_by_role("radio", name="企业客户").check()
    expect(page.get_by_label("统一社会信用代码")).to_be_visible()
    expect_hidden(page.get_by_label("手机号", exact=True))


def test_rep_finds_a_customer_by_pinyin_initials_and_phone_digits(page):
    org = f.build_org()
    tea = f.enterprise(org.rep_a, name="杭州西湖龙井茶业有限公司")
    person = f.individual(org.rep_a, name="林小雨", mobile="13912345678")
    other = f.enterprise(org.rep_a, name="阿里巴巴网络技术有限公司")
    signed_in(page, "rep.a")
    page.goto("/customers/")
    expect(results(page).locator("tbody tr")).to_have_count(3)
    search = page.get_by_role("searchbox", name="搜索客户")

    # When the rep types pinyin initials, the list narrows as they type
    search.press_sequentially("xhlj")
    expect(results(page).locator("tbody tr")).to_have_count(1)
    expect(results(page)).to_contain_text(tea.name)
    expect(results(page)).not_to_contain_text(other.name)
    expect(page).to_have_url(re.compile(r"[?&]q=xhlj"))

    # When they search by the last four digits of a phone instead
    search.fill("5678")
    expect(results(page).locator("tbody tr")).to_have_count(1)
    expect(results(page)).to_contain_text(person.name)
    expect(results(page)).to_contain_text("139****5678")

    # and open the record from the row
    results(page).get_by_role("link", name=person.name).click()
    expect(page).to_have_url(re.compile(rf"/customers/{person.pk}/$"))
    expect(page.get_by_role("heading", name=person.name)).to_be_visible()

    # When nothing matches, the list says so
    page.goto("/customers/")
    page.get_by_role("searchbox", name="搜索客户").fill("zzzz")
    expect(results(page)).to_contain_text("没有找到“zzzz”相关的客户")


def test_scope_hides_the_record_and_a_manager_reveals_the_phone(page):
    org = f.build_org()
    person = f.individual(org.rep_a, name="林小雨", mobile="13812341234")
    url = f"/customers/{person.pk}/"

    # A rep of another department gets a 404 for the record's address
    signed_in(page, "rep.c")
    response = page.goto(url)
    assert response.status == 404
    expect(page.get_by_text(person.name)).to_have_count(0)
    expect(page.get_by_text("138****1234")).to_have_count(0)
    page.context.clear_cookies()

    # The sales manager of the parent department sees it, the phone masked
    signed_in(page, "manager")
    page.goto(url)
    expect(page.get_by_role("heading", name=person.name)).to_be_visible()
    mobile = field_value(page, "手机号")
    expect(mobile).to_contain_text("138****1234")
    expect(mobile).not_to_contain_text("13812341234")
    assert not RevealLog.objects.exists()

    # When they press 查看, the full number is shown (and can be dialled), and the reveal logged
    mobile.get_by_role("button", name="查看").click()
    expect(mobile.get_by_role("link", name="13812341234")).to_have_attribute(
        "href", "tel:13812341234"
    )
    expect(mobile).not_to_contain_text("138****1234")
    log = RevealLog.objects.get()
    assert (log.actor, log.target_id, log.field) == (org.manager, person.pk, "mobile")
    assert log.target_type == "customers.customer"


def test_rep_edits_on_a_phone(page):
    page.set_viewport_size({"width": 375, "height": 800})
    org = f.build_org()
    tea = f.enterprise(
        org.rep_a, name="杭州西湖龙井茶业有限公司", region_id="330106", budget_min=50, budget_max=80
    )
    signed_in(page, "rep.a")

    # Given the record on a phone, its 编辑 leads to the form
    page.goto(f"/customers/{tea.pk}/")
    page.get_by_role("link", name="编辑").click()
    expect(page.get_by_role("heading", name=f"编辑：{tea.name}")).to_be_visible()
    page.wait_for_load_state()

    # The form fits the screen: no sideways scrolling, the fields as wide as the screen allows
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    name = page.get_by_label("客户名称")
    expect(name).to_have_value(tea.name)
    box = name.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    expect(page.get_by_label("预算下限（万元）")).to_have_value("50.00")
    expect(page.get_by_role("combobox", name="区县")).to_have_value("330106")

    # 保存 stays on screen above the bottom navigation bar while the long form scrolls
    save = page.get_by_role("button", name="保存")
    nav = page.get_by_role("navigation", name="主导航")
    page.get_by_label("预算上限（万元）").scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()
    assert save.bounding_box()["y"] + save.bounding_box()["height"] <= nav.bounding_box()["y"]

    # When the rep changes the short name and the budget and saves
    page.get_by_label("简称", exact=True).fill("龙井茶业")
    page.get_by_label("预算上限（万元）").fill("120")
    leave(page, page.get_by_label("预算上限（万元）"))
    save.click()

    # Then the record shows the new values
    expect(page).to_have_url(re.compile(rf"/customers/{tea.pk}/$"))
    expect(page.get_by_text("已保存")).to_be_visible()
    expect(page.get_by_role("heading", name=tea.name)).to_contain_text("龙井茶业")
    expect(field_value(page, "预算（万元）")).to_have_text("50.00–120.00 万元")
    # and its 变更记录 lists the change
    page.get_by_text("变更记录").click()
    row = page.locator(".history-body tr", has_text="简称")
    expect(row).to_contain_text("龙井茶业")
    expect(row).to_contain_text(str(org.rep_a))
    tea = f.fresh(tea)
    assert (tea.short_name, tea.budget_min, tea.budget_max) == ("龙井茶业", 50, 120)
    assert (tea.region_id, tea.version) == ("330106", 2)


def test_stale_edit_shows_the_conflict(page):
    page.set_viewport_size({"width": 375, "height": 800})
    org = f.build_org()
    tea = f.enterprise(org.rep_a, name="杭州西湖龙井茶业有限公司")
    signed_in(page, "rep.a")
    page.goto(f"/customers/{tea.pk}/edit/")
    expect(page.get_by_label("客户名称")).to_have_value(tea.name)

    # While the form is open, the manager changes the record
    services.customer_update(
        customer=tea, data={"short_name": "西湖茶"}, actor=org.manager, version=tea.version
    )

    # When the rep saves their own change
    page.get_by_label("简称", exact=True).fill("龙井茶业")
    leave(page, page.get_by_label("简称", exact=True))
    page.get_by_role("button", name="保存").click()

    # Then they are told the record was changed by someone else, and nothing of theirs is saved
    alert = page.get_by_role("alert").filter(has_text="记录已被他人修改")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("你的修改没有保存。")
    assert f.fresh(tea).short_name == "西湖茶"

    # When they reload the latest version, they see the manager's change and can save theirs
    alert.get_by_role("link", name="重新加载最新内容").click()
    expect(page.get_by_label("简称", exact=True)).to_have_value("西湖茶")
    page.get_by_label("简称", exact=True).fill("龙井茶业")
    leave(page, page.get_by_label("简称", exact=True))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存")).to_be_visible()
    assert f.fresh(tea).short_name == "龙井茶业"


def test_rep_adds_contacts_on_the_record_page(page):
    org = f.build_org()
    tea = f.enterprise(org.rep_a, name="杭州西湖龙井茶业有限公司")
    signed_in(page, "rep.a")
    page.goto(f"/customers/{tea.pk}/")
    contacts = page.locator("#contacts")
    expect(contacts).to_contain_text("暂无联系人")
    page.evaluate("window.samePage = true")

    # When the rep adds the first contact with the inline form
    contacts.get_by_text("添加联系人").click()
    contacts.get_by_label("姓名").fill("王芳")
    contacts.get_by_label("职位").fill("采购经理")
    contacts.get_by_label("手机号").fill("13812341234")
    contacts.get_by_role("button", name="添加").click()

    # Then it is listed, without a page load, as the 主联系人 (an enterprise's first contact)
    wang = contacts.locator("li.contact", has_text="王芳")
    expect(wang).to_be_visible()
    expect(wang.locator(".tag.primary")).to_have_text("主联系人")
    expect(wang).to_contain_text("138****1234")
    expect(contacts.get_by_role("heading", name="联系人")).to_contain_text("1")
    assert page.evaluate("window.samePage === true")
    settled(contacts)

    # When a second contact is added and marked 主联系人, the mark moves to them
    contacts.get_by_text("添加联系人").click()
    contacts.get_by_label("姓名").fill("李雷")
    contacts.get_by_label("手机号").fill("13912345678")
    contacts.get_by_role("checkbox", name="主联系人").check()
    contacts.get_by_role("button", name="添加").click()

    li = contacts.locator("li.contact", has_text="李雷")
    expect(li.locator(".tag.primary")).to_have_text("主联系人")
    expect(wang.locator(".tag.primary")).to_have_count(0)
    primary = Contact.objects.get(customer=tea, is_primary=True)
    assert primary.name == "李雷"
    settled(contacts)

    # A wrong mobile is reported on the field, and nothing is added
    contacts.get_by_text("添加联系人").click()
    contacts.get_by_label("姓名").fill("韩梅梅")
    contacts.get_by_label("手机号").fill("12345")
    contacts.get_by_role("button", name="添加").click()
    expect(contacts.get_by_text(MOBILE_ERROR)).to_be_visible()
    assert Contact.objects.filter(customer=tea).count() == 2
    settled(contacts.locator("form.contact-form"))

    # and once corrected, the contact is added
    contacts.get_by_label("手机号").fill("13700001111")
    contacts.get_by_role("button", name="添加").click()
    expect(contacts.locator("li.contact")).to_have_count(3)
    han = contacts.locator("li.contact", has_text="韩梅梅")
    expect(han.locator(".tag.primary")).to_have_count(0)
    assert page.evaluate("window.samePage === true")

    # And after a reload the record shows the three, 李雷 still the only 主联系人
    page.reload()
    expect(page.locator("#contacts li.contact")).to_have_count(3)
    expect(page.locator("#contacts li.contact.primary")).to_have_text(re.compile("李雷"))
