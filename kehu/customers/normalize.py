"""Normalisation of what people type: full-width → half-width, spaces, phone prefixes, and the
company-name core that search and duplicate detection share."""

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

from pypinyin import Style, lazy_pinyin

_SPACES = re.compile(r"\s+")
_BRACKETED = re.compile(r"[(\[（【].*?[)\]）】]")
# Longest first so 有限责任公司 is removed before 公司.
LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团有限公司",
    "集团股份有限公司",
    "集团公司",
    "集团",
    "分公司",
    "总公司",
    "公司",
    "有限合伙",
    "合伙企业",
    "工作室",
    "经营部",
    "商行",
    "厂",
)
_LEGAL_SUFFIX_RE = re.compile(
    "(" + "|".join(sorted(map(re.escape, LEGAL_SUFFIXES), key=len, reverse=True)) + ")+$"
)
# Generic descriptors stripped after the legal form: 科技 in 字节跳动科技 is not distinctive.
_PROVINCES = (
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "中国",
)
_PROVINCE_PREFIX_RE = re.compile(
    "^(" + "|".join(_PROVINCES) + r")(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?"
)
# A leading city or district written with its suffix: 深圳市…, 浦东新区…, 昆山县….
_CITY_PREFIX_RE = re.compile(r"^[\u4e00-\u9fff]{2,3}(市|自治州|地区)")
_DISTRICT_PREFIX_RE = re.compile(r"^[\u4e00-\u9fff]{2,3}(新区|区|县)")
# A branch written after the company's own legal form: …有限公司杭州分公司.
_BRANCH_RE = re.compile(r"(公司|厂)[\u4e00-\u9fff]{1,12}?(分公司|分厂|分店|办事处|营业部)$")
_REGIONS_CSV = Path(__file__).resolve().parent.parent / "refdata" / "data" / "regions.csv"


@cache
def _city_prefix_re() -> re.Pattern:
    """Prefecture-level cities (GB/T 2260) as licences write them before the 字号, with or
    without 市: 杭州…, 杭州市…, 哈尔滨…, 大兴安岭地区…."""
    names = set()
    with _REGIONS_CSV.open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            name = row["name"]
            if row["level"] != "2" or name in {"市辖区", "县"} or "直辖" in name:
                continue
            short = re.sub(r"(市|地区|盟)$", "", name)
            names.add(short if len(short) >= 2 else name)
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return re.compile(f"^({alternatives})(市|地区|盟)?")


def _strip_place_prefix(core: str) -> str:
    """Remove 省/市 prefixes (浙江省杭州市…, 广东深圳…). A bare city name (no 市) only counts
    as a prefix when at least three characters remain: 金华科技 is a 字号, not 金华 + 科技."""
    for _ in range(3):
        match = _PROVINCE_PREFIX_RE.match(core)
        if match and len(core) - match.end() >= 2:
            core = core[match.end() :]
            continue
        match = _city_prefix_re().match(core)
        if match and len(core) - match.end() >= (2 if match.group(2) else 3):
            core = core[match.end() :]
            continue
        break
    for prefix in (_CITY_PREFIX_RE, _DISTRICT_PREFIX_RE):
        stripped = prefix.sub("", core, count=1)
        if len(stripped) >= 2:
            core = stripped
    return core


def halfwidth(text: str) -> str:
    """Full-width letters, digits and punctuation become their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def clean_text(text: str | None) -> str:
    """Half-width, trimmed, inner runs of spaces collapsed."""
    if not text:
        return ""
    return _SPACES.sub(" ", halfwidth(text)).strip()


def normalize_mobile(value: str) -> str:
    """'+86 138-1234-1234' → '13812341234'. Returns digits; validity is checked elsewhere."""
    digits = re.sub(r"[\s\-()]", "", halfwidth(value))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def normalize_landline(value: str) -> str:
    """'(021) 1234 5678' → '021-12345678'; extensions kept after a second dash."""
    text = re.sub(r"[\s()]", "", halfwidth(value))
    text = text.replace("转", "-").replace("—", "-")
    if text.startswith("+86"):
        text = "0" + text[3:].lstrip("-")
    # 021-1234-5678: the number itself written in two groups.
    text = re.sub(r"^(0\d{2,3})-(\d{3,4})-(\d{4})$", r"\1-\2\3", text)
    # 010 and 020–029 are the only three-digit area codes; all others have four digits.
    area_len = 3 if text[:2] in ("01", "02") else 4
    digits = r"\d{2}" if area_len == 3 else r"\d{3}"
    match = re.fullmatch(r"(0" + digits + r")-?(\d{7,8})(?:-(\d{1,6}))?", text)
    if not match:
        return text
    area, number, ext = match.groups()
    return f"{area}-{number}" + (f"-{ext}" if ext else "")


def name_core(name: str) -> str:
    """The distinctive part of a company name: '北京字节跳动科技有限公司' → '字节跳动科技'.

    Province/city prefixes, bracketed parts, legal-form suffixes, spaces and full-width forms go.
    A name that would become empty keeps its cleaned form.
    """
    text = clean_text(name).replace(" ", "")
    text = _BRANCH_RE.sub(r"\1", _BRACKETED.sub("", text))
    core = _strip_place_prefix(_LEGAL_SUFFIX_RE.sub("", text))
    core = _LEGAL_SUFFIX_RE.sub("", core)
    return (core or text).lower()


def pinyin_full(text: str) -> str:
    """'字节跳动' → 'zijietiaodong' (non-Chinese characters kept, lower-cased, no spaces)."""
    return "".join(lazy_pinyin(text, errors="default")).replace(" ", "").lower()


def pinyin_initials(text: str) -> str:
    """'字节跳动' → 'zjtd'."""
    parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(parts).replace(" ", "").lower()
