"""Identity keys and evidence of a customer (DOMAIN.md 查重), kept as DedupKey rows.

Keys that identify: credit code, normalised mobiles and emails of the customer and its contacts,
an individual's name + mobile. Keys that find candidates: the company-name core (traditional
characters read as simplified) and the same core reversed, so that a typo in the first
characters still leaves a long shared start in one of the two orders. Evidence that only
scores: the place (region field, else what the name says) and a branch marker (…杭州分公司).
"""

import re
from functools import cache

from kehu.customers.choices import CustomerKind
from kehu.customers.normalize import clean_text, halfwidth, name_core, normalize_mobile
from kehu.dedup.choices import KeyKind
from kehu.dedup.models import DedupKey
from kehu.dedup.places import place_from_name, place_of

_MOBILE = re.compile(r"1[3-9]\d{9}")
# A branch (分支机构) written after the company's legal form or in brackets: …有限公司杭州分公司,
# …有限公司（西湖店）, …银行杭州支行.
_BRANCH = re.compile(
    # The last legal form or 银行/酒店 before the branch's own part (greedy: …集团有限公司杭州分公司
    # is 杭州分公司, not 有限公司杭州分公司).
    r"^.*(?:公司|厂|银行|酒店)([\u4e00-\u9fff]{0,12}?(?:分公司|分厂|分店|分行|支行|办事处|营业部|分部))$"
    r"|[(\[（【]([^)\]）】]{0,12}?(?:分公司|分厂|店|分行|支行|办事处|营业部|分部))[)\]）】]"
)
VALUE_MAX = 200


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters as simplified (廣州華興 → 广州华兴); ASCII passes unchanged."""
    return _t2s().convert(text) if not text.isascii() else text


def dedup_core(name: str) -> str:
    """The company-name core duplicate detection compares: name_core of the simplified name,
    and for a branch its own part too (源恒建筑工程广安分公司): a branch is named by its company's
    name and its place, and one of many branches is not another."""
    core, branch = name_core(simplified(clean_text(name))), branch_of(name)
    return core if core.endswith(branch) else core + branch


def branch_of(name: str) -> str:
    """The branch a company name names ('杭州分公司'), '' for a company itself."""
    text = simplified(halfwidth(name).replace(" ", ""))
    match = _BRANCH.search(text)
    return (match.group(1) or match.group(2)) if match else ""


def keys_from_values(
    *,
    kind: str,
    name: str,
    uscc: str = "",
    mobiles=(),
    emails=(),
    region_code: str | None = None,
) -> set[tuple[str, str]]:
    """Keys for raw values, used both for stored customers and for a form being typed."""
    keys: set[tuple[str, str]] = set()
    if uscc:
        keys.add((KeyKind.USCC, uscc.replace(" ", "").upper()))
    phones = {normalize_mobile(m) for m in mobiles if m}
    # Only real mobiles identify someone: a landline is shared by a whole switchboard.
    phones = {p for p in phones if _MOBILE.fullmatch(p)}
    keys |= {(KeyKind.PHONE, p) for p in phones}
    keys |= {(KeyKind.EMAIL, clean_text(e).lower()) for e in emails if e}
    branch = ""
    if name:
        if kind == CustomerKind.INDIVIDUAL:
            person = simplified(clean_text(name)).replace(" ", "")
            # No name key for a person: thousands of customers are called 张伟.
            keys |= {(KeyKind.PERSON, f"{person}|{p}") for p in phones}
        else:
            core = dedup_core(name)[:VALUE_MAX]
            branch = branch_of(name)
            keys.add((KeyKind.NAME, core))
            keys.add((KeyKind.NAME_REV, core[::-1]))
            if branch:
                # A branch's key names its company's place too (its licence starts with it):
                # 重庆分公司 of a 巴中 company is not that of a 永川 one.
                keys.add((KeyKind.BRANCH, f"{branch}|{place_from_name(name)}"))
    company_name = name if kind != CustomerKind.INDIVIDUAL else ""
    keys.add((KeyKind.PLACE, place_of(region_code, company_name, branch, uscc)))
    return {(k, v[:VALUE_MAX]) for k, v in keys if v}


def keys_for(customer, contacts) -> set[tuple[str, str]]:
    return keys_from_values(
        kind=customer.kind,
        name=customer.name,
        uscc=customer.uscc,
        mobiles=[customer.mobile, *(c.mobile for c in contacts)],
        emails=[customer.email, *(c.email for c in contacts)],
        region_code=customer.region_id,
    )


def reindex(customer, *, new: bool = False) -> None:
    """Replace the customer's keys with those its current data gives (called after every write;
    `new`: the customer has none yet, so nothing is read)."""
    wanted = keys_for(customer, list(customer.contacts.all()))
    existing = (
        set()
        if new
        else set(DedupKey.objects.filter(customer=customer).values_list("kind", "value"))
    )
    for kind, value in existing - wanted:
        DedupKey.objects.filter(customer=customer, kind=kind, value=value).delete()
    DedupKey.objects.bulk_create(
        [DedupKey(customer=customer, kind=k, value=v) for k, v in wanted - existing]
    )
