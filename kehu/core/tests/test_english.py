"""English mode is English: every page a person opens, in English, has no Chinese punctuation
(，。：、（）…) in its own text, names reference data in English where a standard English name
exists (regions, industries, source channels), and shows money as "100,000–400,000 CNY"."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from kehu.accounts.choices import RoleCode
from kehu.accounts.models import Department, Role
from kehu.core.testing import make_admin, make_department, make_user, session_client
from kehu.customers.models import SourceChannel
from kehu.customers.tests import factories as f
from kehu.dedup.services import merge

pytestmark = pytest.mark.django_db

FULL_WIDTH = re.compile("[，。、：；（）！？【】《》「」『』\u3000]")


class Text(HTMLParser):
    """What a person reads: text outside <script>/<style>, and the labels in attributes."""

    ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        self.parts += [value for name, value in attrs if name in self.ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture
def english():
    hq = make_department("总部")
    rep = make_user("zhang.wei", hq, RoleCode.SALES_REP, display_name="张伟")
    admin = make_admin("boss")
    channel = SourceChannel.objects.get(name="官网表单")
    customer = f.enterprise(
        rep,
        name="深圳云帆智能科技有限公司",
        region_id="440305",
        industry_id="35",
        source_id=channel.pk,
        budget_min=Decimal("10"),
        budget_max=Decimal("40"),
        core_need="采购设备",
        need_tags=["采购设备", "技术咨询"],
        decision_chain=["技术部评估", "财务部审批"],
        pending_fields=["urgency"],
    )
    contact = f.contact(customer, rep, name="李雷")
    twin_a, twin_b = f.individual(rep, name="王小明"), f.individual(rep, name="王晓明")
    record = merge(survivor=twin_a, others=[twin_b], field_sources={}, actor=admin)
    client = session_client(admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return {
        "client": client,
        "customer": customer,
        "contact": contact,
        "merge": record,
        "rep": rep,
        "role": Role.objects.get(code="sales_rep"),
        "department": Department.objects.get(name="总部"),
        "channel": channel,
        "twins": (twin_a, f.individual(rep, name="王晓明二")),
    }


def pages(d) -> list[str]:
    c = d["customer"].pk
    return [
        "/",
        "/customers/",
        "/customers/?q=zz&status=intent",
        "/customers/new/",
        f"/customers/{c}/",
        f"/customers/{c}/edit/",
        f"/customers/{c}/history/",
        f"/customers/{c}/transfer/",
        f"/customers/{c}/contacts/{d['contact'].pk}/edit/",
        "/customers/duplicates/",
        f"/customers/duplicates/merge/?ids={d['twins'][0].pk}&ids={d['twins'][1].pk}",
        f"/customers/duplicates/merges/{d['merge'].pk}/",
        "/settings/",
        "/settings/users/",
        "/settings/users/new/",
        f"/settings/users/{d['rep'].pk}/",
        "/settings/departments/",
        "/settings/departments/new/",
        f"/settings/departments/{d['department'].pk}/",
        "/settings/roles/",
        "/settings/roles/new/",
        f"/settings/roles/{d['role'].pk}/",
        "/settings/channels/",
        f"/settings/channels/{d['channel'].pk}/",
        "/settings/duplicates/",
        "/settings/numbering/",
        "/settings/numbering/customers/",
        "/accounts/password/",
        "/notifications/",
        "/notifications/channels/",
        "/customers/999999999/",  # the 404 page
    ]


def test_english_pages_have_no_chinese_punctuation(english):
    found = {}
    for url in pages(english):
        response = english["client"].get(url)
        assert response.status_code in {200, 404}, url
        text = visible_text(response.content.decode())
        hits = {m.group() for m in FULL_WIDTH.finditer(text)}
        if hits:
            found[url] = [
                text[max(0, m.start() - 30) : m.end() + 10] for m in FULL_WIDTH.finditer(text)
            ][:3]

    assert found == {}, "\n".join(f"{url}: {texts}" for url, texts in found.items())


def test_the_record_names_region_industry_channel_and_money_in_english(english):
    html = english["client"].get(f"/customers/{english['customer'].pk}/").content.decode()

    assert "Nanshan District, Shenzhen, Guangdong" in html
    assert "Manufacturing - Manufacture of Special Purpose Machinery" in html
    assert "Website form" in html
    assert "100,000–400,000 CNY" in html
    assert "万元" not in html and "深圳市" not in html


def test_the_list_names_region_and_industry_in_english(english):
    html = english["client"].get("/customers/").content.decode()

    assert "Nanshan District, Shenzhen, Guangdong" in html
    assert ">Guangdong</option>" in html and ">Manufacturing</option>" in html
