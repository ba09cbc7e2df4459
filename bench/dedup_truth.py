"""An independent quality set for duplicate detection (查重), and the figures `make bench` prints.

    .venv/bin/python -m bench.dedup_truth --n 100000 --db sqlite|postgres [--stream 10000]

bench/dedup_quality.py makes each duplicate by applying one known variant to a clean name, with
every other company kept clear of it: it measures whether the detector undoes those variants.
This module starts from the other end — a world of companies and people, and reps who write
down what they see:

- **The world.** Companies are named as licences are (place + 字号 + 行业 + 组织形式) with trade
  names drawn from a Zipf distribution, so the same 字号 + 行业 exists in many cities (never
  twice in one: a registration authority does not allow it). Some companies have branches
  (…有限公司成都分公司) with their own credit code, city and people. Small firms use an
  accounting agency, whose phone and mailbox they give as their own. People (individual
  customers) have common names: there are many 张伟.
- **Records.** Each customer record is one rep's observation of a company or person: the
  licence name or a shorter or longer form of it (without the place, with the province, the
  city in brackets, 有限责任公司 for 有限公司, the name without its legal form), now and then a
  typo anywhere, traditional characters, full-width brackets or stray spaces; the credit code,
  the region, the switchboard only sometimes; one or two of the company's people, with their
  mobiles and sometimes emails. A duplicate is a second observation of someone already in the
  base — written however that rep wrote it. Ground truth is the entity behind each record.
- **The measurement.** `n` records (2 % of them duplicates) are bulk-loaded with the app's own
  keys; then a stream of creates (2 % of them duplicates of base entities) goes through the
  customer service as a rep would: a refused or warned create that truly is a duplicate is
  dropped, one that is not is created anyway ("create anyway", or a reason) — which records
  the pairwise decisions; an unflagged one is created. Then the background scan runs.

Printed: the entry check's precision and recall and the share of creates warned or refused
(false refusals by key), the scan's pairwise precision and recall (by kind of name variant),
and both at a range of thresholds — the measurements the thresholds in kehu.dedup were chosen
from (docs/DESIGN.md). Targets (issue 15): scan precision ≥ 0.98 and recall ≥ 0.95 on
companies' name variants; warnings' precision ≥ 0.9; < 2 % of creates warned; no false refusal
by credit code.
"""

import argparse
import bisect
import itertools
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench import config

DB_NAME = "kehu_dedup_truth"
DUPLICATE_SHARE = 0.02
INDIVIDUAL_SHARE = 0.12
BRANCHING_SHARE = 0.04  # companies with branches in other cities
AGENCY_CLIENT_SHARE = 0.01  # companies that give their accounting agency's phone and mailbox
SMALL_SHARE = 0.15  # small firms (工作室, 经营部, 商行 and some others): agencies' clients
STREAM = 10_000
SWEEP = range(40, 100, 5)
TARGETS = {
    "scan_precision": 0.98,
    "scan_recall": 0.95,
    "check_precision": 0.9,
    "warned_share": 0.02,
    "false_uscc_refusals": 0,
}

# --- vocabulary (its own, not the detector's or bench/vocab.py's) --------------------------------

TRADE_CHARS = (
    "华鑫瑞泰恒盛达信源祥宏远金通德丰安康美佳新明海天永兴利嘉汇博创智联星辰云峰鼎誉和顺昌隆荣福"
    "宝晟旭阳光东方中正诚立航卓越凯腾飞龙凤麒麟景润泽清晨启元亿万众合力邦宇锦程铭骏驰途洋川山林"
    "森松竹梅兰菊桂虹霞雪石玉晶钰银浩瀚翔鹏鸿雁鹰豪杰英伟俊义仁礼勇毅帆蓝青绿紫耀朗岳江河湖泉溪"
    "沃迪奥斯普尔特克莱雅诺菲赛维格迈拓展图振亚欧协胜贵吉益成建开思想梦心灵动能芯微视易优乐"
)
INDUSTRIES = [  # (行业表述, weight)
    ("科技", 30), ("信息技术", 8), ("网络科技", 8), ("电子科技", 6), ("智能科技", 6),
    ("贸易", 14), ("商贸", 8), ("实业", 6), ("建筑工程", 6), ("装饰工程", 4), ("建材", 3),
    ("机械设备", 5), ("机电设备", 3), ("自动化设备", 3), ("餐饮管理", 4), ("物流", 4),
    ("供应链管理", 3), ("医疗器械", 3), ("生物科技", 3), ("医药", 2), ("文化传媒", 5),
    ("广告", 3), ("教育科技", 3), ("环保科技", 3), ("新能源科技", 3), ("光电科技", 2),
    ("汽车销售服务", 2), ("房地产开发", 2), ("物业管理", 3), ("投资管理", 3),
    ("企业管理咨询", 4), ("财务咨询", 2), ("人力资源", 2), ("食品", 3), ("农业科技", 2),
    ("服饰", 2), ("纺织", 2), ("家具", 2), ("印刷", 1), ("包装材料", 2), ("化工", 2),
    ("塑料制品", 1), ("五金", 2), ("电气", 2), ("照明", 1), ("通信技术", 2), ("软件", 3),
    ("数据科技", 2), ("酒店管理", 1), ("旅行社", 1), ("体育发展", 1), ("健康管理", 2),
    ("家政服务", 1), ("安防科技", 1), ("仪器仪表", 1), ("精密机械", 1), ("模具", 1),
]  # fmt: skip
FORMS = [("有限公司", 70), ("有限责任公司", 12), ("股份有限公司", 6), ("集团有限公司", 2),
         ("工作室", 3), ("经营部", 3), ("商行", 2), ("厂", 2)]  # fmt: skip
SMALL_FORMS = {"工作室", "经营部", "商行"}
SURNAMES = [  # (surname, weight ‰), the commonest first
    ("王", 72), ("李", 72), ("张", 69), ("刘", 54), ("陈", 45), ("杨", 32), ("黄", 23), ("赵", 22),
    ("吴", 20), ("周", 19), ("徐", 16), ("孙", 15), ("马", 15), ("朱", 14), ("胡", 13), ("郭", 12),
    ("何", 12), ("林", 11), ("高", 11), ("罗", 10), ("郑", 10), ("梁", 9), ("谢", 8), ("宋", 7),
    ("唐", 7), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7), ("曹", 6), ("彭", 6), ("曾", 6),
    ("肖", 6), ("田", 5), ("董", 5), ("袁", 5), ("潘", 5), ("于", 5), ("蒋", 5), ("蔡", 5),
    ("余", 5), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4),
    ("任", 4), ("沈", 4), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3),
    ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3),
    ("欧阳", 1), ("司马", 1), ("上官", 1),
]  # fmt: skip
GIVEN_TEXT = (  # common given names, commonest first (张伟, 王芳, 李娜 …)
    "伟 芳 娜 敏 静 秀英 丽 强 磊 洋 艳 勇 军 杰 娟 涛 超 明 霞 秀兰 刚 平 燕 辉 玲 桂英 丹 萍 鹏 华 红"
    " 玉兰 飞 桂兰 英 梅 鑫 波 斌 宇 浩 凯 健 俊 帆 帅 旭 宁 龙 林 欢 阳 建华 亮 成 畅 建 峰 建国 建军"
    " 晨 瑞 志强 兵 雷 东 欣 博 彬 坤 想 岩 杨 文 利 楠 红梅 丽娟 海燕 小红 晓东 志勇 婷婷 静怡 子涵"
    " 梓涵 欣怡 一诺 浩然 宇轩 思远 嘉怡 雨桐 晓明 春梅 国强 海涛 文静 晓燕 丽华 军伟 志刚"
)
GIVEN = GIVEN_TEXT.split(" ")
# Traditional forms of the characters the names use (as written on Hong Kong or Taiwan cards,
# or by a 繁體 input method): a table of its own, not OpenCC's.
TRADITIONAL = dict(
    zip(
        "华兴达宏远东丰顺昌隆荣宝阳光诚凯腾飞龙凤麒景润泽启亿万众邦锦铭骏驰鸿雁鹰杰伟义礼帆蓝"
        "绿紫岳汇誉协胜贵图亚欧动芯视优乐网络电讯贸实业设备医药传广环能汽车务产发咨询财资饰织"
        "气术数据游体园围区县市广州苏圳杭门庆宁沈阳长济郑汉厦湾台组织团责经营厂营销开关际汤农",
        "華興達宏遠東豐順昌隆榮寶陽光誠凱騰飛龍鳳麒景潤澤啟億萬眾邦錦銘駿馳鴻雁鷹傑偉義禮帆藍"
        "綠紫嶽匯譽協勝貴圖亞歐動芯視優樂網絡電訊貿實業設備醫藥傳廣環能汽車務產發諮詢財資飾織"
        "氣術數據遊體園圍區縣市廣州蘇圳杭門慶寧瀋陽長濟鄭漢廈灣臺組織團責經營廠營銷開關際湯農",
        strict=True,
    )
)
# Typos people make: a character of the same sound or look (and, failing that, any other).
HOMOPHONES = dict(
    pair.split(":")
    for pair in [
        "华:化",
        "鑫:新",
        "瑞:锐",
        "泰:太",
        "恒:衡",
        "盛:胜",
        "达:大",
        "信:心",
        "源:元",
        "祥:翔",
        "宏:鸿",
        "远:源",
        "金:今",
        "通:同",
        "德:得",
        "丰:峰",
        "安:按",
        "康:抗",
        "美:每",
        "佳:家",
        "明:名",
        "海:还",
        "天:添",
        "永:勇",
        "兴:星",
        "利:力",
        "嘉:家",
        "汇:会",
        "博:搏",
        "创:窗",
        "智:知",
        "联:连",
        "星:兴",
        "辰:晨",
        "云:芸",
        "峰:锋",
        "鼎:顶",
        "誉:玉",
        "和:合",
        "顺:舜",
        "昌:长",
        "隆:龙",
        "荣:容",
        "福:富",
        "宝:保",
        "晟:盛",
        "旭:绪",
        "阳:洋",
        "光:广",
        "东:冬",
        "方:芳",
        "中:忠",
        "正:政",
        "诚:成",
        "立:力",
        "航:杭",
        "卓:桌",
        "越:悦",
        "凯:铠",
        "腾:藤",
        "飞:非",
        "科:可",
        "技:际",
        "贸:茂",
        "易:益",
        "电:店",
        "子:字",
        "网:往",
        "络:落",
        "信:新",
        "息:惜",
        "术:述",
        "商:尚",
        "实:时",
        "业:叶",
        "建:健",
        "筑:住",
        "程:城",
        "设:社",
        "备:背",
        "管:馆",
        "理:里",
        "物:务",
        "流:留",
        "器:气",
        "械:戒",
        "州:洲",
        "杭:航",
        "京:经",
        "津:金",
        "沪:户",
        "深:申",
        "广:光",
        "苏:书",
        "成:城",
        "都:督",
        "武:舞",
        "汉:汗",
        "南:男",
    ]
)
PUBLIC_MAIL = ["qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "139.com"]
MOBILE_PREFIXES = [f"1{n}" for n in (30, 31, 32, 33, 35, 36, 37, 38, 39, 50, 51, 52, 55, 56, 57, 58,
                                     59, 66, 75, 76, 77, 80, 81, 82, 83, 85, 86, 87, 88, 89, 91, 98,
                                     99)]  # fmt: skip
# As text pasted from another system comes: full-width Latin, digits and spaces, half-width
# brackets where the licence has full-width ones.
FULL_WIDTH = str.maketrans(
    {"（": "(", "）": ")", " ": "\u3000"} | {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
)


# --- places ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    code: str  # 330100
    name: str  # 杭州市
    short: str  # 杭州
    province: str  # 浙江省
    province_short: str  # 浙江
    districts: tuple[tuple[str, str], ...]  # (code, name)
    weight: float


def load_cities() -> list[City]:
    import csv

    path = config.ROOT / "kehu" / "refdata" / "data" / "regions.csv"
    with path.open(encoding="utf-8") as rows:
        regions = list(csv.DictReader(rows))
    names = {r["code"]: r["name"] for r in regions}
    districts = defaultdict(list)
    for r in regions:
        if r["level"] == "3":
            districts[r["parent_code"]].append((r["code"], r["name"]))
    cities = []
    for r in regions:
        if r["level"] != "2":
            continue
        province = names[r["parent_code"]]
        municipal = r["name"] == "市辖区"
        name = province if municipal else r["name"]
        if not name.endswith("市"):
            continue  # 自治州, 地区, 盟: rarely a company's place prefix
        short = name.removesuffix("市")
        province_short = province
        for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"):
            province_short = province_short.removesuffix(suffix)
        # Big cities hold more companies: municipalities and capitals weigh more.
        weight = 12.0 if municipal else 4.0 if r["code"][2:4] == "01" else 1.0
        cities.append(City(r["code"], name, short, province, province_short,
                           tuple(districts[r["code"]]), weight))  # fmt: skip
    return cities


# --- the world -------------------------------------------------------------------------------------


@dataclass
class Person:
    name: str
    mobile: str
    email: str


@dataclass
class Entity:
    """A company (head office or branch) or an individual customer, as it really is."""

    id: int
    kind: str  # enterprise / individual
    name: str  # licence name, or the person's name
    city: City
    district: str = ""  # district code, "" when not known to anyone
    uscc: str = ""
    switchboard: str = ""
    people: list[Person] = field(default_factory=list)
    trade: str = ""
    industry: str = ""
    form: str = ""
    prefix: str = ""  # the place as the licence writes it
    parent: int | None = None  # a branch's company
    branch: str = ""  # a branch's own part of the name: 成都分公司


@dataclass
class Record:
    """One customer record: a rep's observation of an entity (the fields bench.dedup_quality's
    loader reads, plus region and switchboard)."""

    entity: int
    kind: str
    name: str
    uscc: str = ""
    mobile: str = ""
    email: str = ""
    contacts: list[tuple[str, str, str]] = field(default_factory=list)
    region_id: str | None = None
    switchboard: str = ""
    ops: tuple[str, ...] = ()  # how the name was written (variant labels)
    duplicate: bool = False


def _weighted(pairs):
    values = [v for v, _ in pairs]
    cumulative = list(itertools.accumulate(w for _, w in pairs))
    return values, cumulative


class World:
    def __init__(self, seed: int, expected: int):
        self.rnd = random.Random(seed)
        self.cities = load_cities()
        self.city_cum = list(itertools.accumulate(c.weight for c in self.cities))
        self.industries = _weighted(INDUSTRIES)
        self.forms = _weighted(FORMS)
        self.surnames = _weighted(SURNAMES)
        # Trade names: a Zipf pool (s = 0.5), so popular ones recur across cities: at a million
        # companies the commonest 字号 + 科技 is registered in about eighty.
        size = max(5000, expected // 2)
        pool = set()
        while len(pool) < size:
            length = self.rnd.choices((2, 3, 4), weights=(80, 17, 3))[0]
            pool.add("".join(self.rnd.choice(TRADE_CHARS) for _ in range(length)))
        # The popular 字号 are short words (华泰, 恒信); a four-character one is rarely shared.
        self.trades = sorted(pool, key=lambda t: (len(t), self.rnd.random()))
        self.trade_cum = list(itertools.accumulate(1 / (r + 1) ** 0.5 for r in range(size)))
        self.taken: set[tuple[str, str]] = set()  # (city code, 字号 + 行业)
        self.serial = itertools.count(1)
        offset = self.rnd.randrange(10**8)
        self.mobile_counter = (
            f"{MOBILE_PREFIXES[i % len(MOBILE_PREFIXES)]}{(offset + i * 7_919_993) % 10**8:08d}"
            for i in itertools.count()
        )
        self.entities: list[Entity] = []
        self.agencies = [self._agency(i) for i in range(max(5, expected // 2000))]

    def _pick(self, values_cum):
        values, cumulative = values_cum
        return values[bisect.bisect(cumulative, self.rnd.random() * cumulative[-1])]

    def city(self) -> City:
        return self.cities[bisect.bisect(self.city_cum, self.rnd.random() * self.city_cum[-1])]

    def trade(self) -> str:
        cum = self.trade_cum
        return self.trades[bisect.bisect(cum, self.rnd.random() * cum[-1])]

    def person_name(self) -> str:
        surname = self._pick(self.surnames)
        rank = min(int(self.rnd.paretovariate(1.1)) - 1, len(GIVEN) - 1)
        if self.rnd.random() < 0.4:  # a less common given name of one or two characters
            return surname + "".join(
                self.rnd.choice(TRADE_CHARS) for _ in range(self.rnd.choice((1, 2)))
            )
        return surname + GIVEN[rank]

    def mobile(self) -> str:
        return next(self.mobile_counter)

    def uscc(self, city: City) -> str:
        from stdnum.cn import uscc as stdnum_uscc

        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        n = next(self.serial) * 7_777 + 1_000_003  # spread, still one code per company
        org = "".join(alphabet[(n // 31**k) % 31] for k in reversed(range(9)))
        first17 = f"91{city.code}{org}"
        return first17 + stdnum_uscc.calc_check_digit(first17)

    def _agency(self, i: int) -> Person:
        return Person(f"{self.person_name()}（代理记账）", self.mobile(),
                      f"daili{i}@{self.rnd.choice(PUBLIC_MAIL)}")  # fmt: skip

    def _people(self, trade: str, small: bool) -> list[Person]:
        from pypinyin import lazy_pinyin

        if small and self.rnd.random() < AGENCY_CLIENT_SHARE / SMALL_SHARE:
            return [self.rnd.choice(self.agencies)]
        domain = "".join(lazy_pinyin(trade)) + self.rnd.choice(("", "", "tech", "group", "88"))
        people = []
        for _ in range(self.rnd.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0]):
            name = self.person_name()
            handle = "".join(lazy_pinyin(name))
            email = (
                f"{handle}@{domain}.com"
                if self.rnd.random() < 0.6
                else f"{handle}{self.rnd.randrange(100, 9999)}@{self.rnd.choice(PUBLIC_MAIL)}"
            )
            people.append(Person(name, self.mobile(), email))
        return people

    def company(self) -> Entity:
        rnd = self.rnd
        while True:
            city, trade, industry = self.city(), self.trade(), self._pick(self.industries)
            if (city.code, trade + industry) not in self.taken:
                break
        self.taken.add((city.code, trade + industry))
        form = self._pick(self.forms)
        if form == "厂" and industry not in {"机械设备", "食品", "服饰", "纺织", "家具", "印刷",
                                             "包装材料", "化工", "塑料制品", "五金", "模具"}:  # fmt: skip
            form = "有限公司"
        whole = city.name if city.province == city.name else f"{city.province}{city.name}"
        prefix = rnd.choices(
            [city.short, city.name, whole, city.province_short, ""], weights=(50, 25, 10, 5, 10)
        )[0]
        small = form in SMALL_FORMS or rnd.random() < SMALL_SHARE
        entity = Entity(
            id=len(self.entities),
            kind="enterprise",
            name=f"{prefix}{trade}{industry}{form}",
            city=city,
            district=rnd.choice(city.districts)[0] if city.districts else "",
            uscc=self.uscc(city),
            switchboard=self._switchboard(city, small),
            people=self._people(trade, small),
            trade=trade,
            industry=industry,
            form=form,
            prefix=prefix,
        )
        self.entities.append(entity)
        if form.endswith("公司") and rnd.random() < BRANCHING_SHARE:
            cities = {city.code}  # one branch per city
            for _ in range(rnd.choice((1, 1, 2, 3))):
                self.branch(entity, cities)
        return entity

    def _switchboard(self, city: City, small: bool) -> str:
        area = {"11": "010", "31": "021", "12": "022", "50": "023"}.get(city.code[:2], "0571")
        if small and self.rnd.random() < 0.3:
            return f"{area}-8888{self.rnd.randrange(1000):04d}"  # an office centre's front desk
        return f"{area}-{self.rnd.randrange(20000000, 99999999)}"

    def branch(self, parent: Entity, taken: set[str]) -> Entity:
        city = self.city()
        while city.code in taken:
            city = self.city()
        taken.add(city.code)
        entity = Entity(
            id=len(self.entities),
            kind="enterprise",
            name=f"{parent.name}{city.short}分公司",
            branch=f"{city.short}分公司",
            city=city,
            district=self.rnd.choice(city.districts)[0] if city.districts else "",
            uscc=self.uscc(city),
            switchboard=self._switchboard(city, False),
            people=self._people(parent.trade, False),
            trade=parent.trade,
            industry=parent.industry,
            form=parent.form,
            prefix=parent.prefix,
            parent=parent.id,
        )
        self.entities.append(entity)
        return entity

    def individual(self) -> Entity:
        from pypinyin import lazy_pinyin

        name = self.person_name()
        city = self.city()
        email = f"{''.join(lazy_pinyin(name))}{self.rnd.randrange(10, 99999)}@{self.rnd.choice(PUBLIC_MAIL)}"
        entity = Entity(
            id=len(self.entities),
            kind="individual",
            name=name,
            city=city,
            district=self.rnd.choice(city.districts)[0] if city.districts else "",
            people=[Person(name, self.mobile(), email)],
        )
        self.entities.append(entity)
        return entity

    def new_entity(self) -> Entity:
        if self.rnd.random() < INDIVIDUAL_SHARE:
            return self.individual()
        return self.company()


# --- observing: how a rep writes a record down -----------------------------------------------------


def _typo(rnd: random.Random, text: str) -> str:
    """One character of the name replaced by one of the same sound (or any other), anywhere."""
    positions = [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    if not positions:
        return text
    i = rnd.choice(positions)
    wrong = HOMOPHONES.get(text[i]) or rnd.choice(TRADE_CHARS)
    return text[:i] + wrong + text[i + 1 :]


def _spaces(rnd: random.Random, text: str) -> str:
    i = rnd.randrange(1, len(text))
    return text[:i] + " " + text[i:]


def _company_name(rnd: random.Random, e: Entity) -> tuple[str, list[str]]:
    """The name as written, and how it differs from the licence."""
    style = rnd.choices(
        ["licence", "no_place", "more_place", "bracket_place", "legal_form", "short"],
        weights=(55, 14, 8, 6, 10, 7),
    )[0]
    core = f"{e.trade}{e.industry}"
    if style == "no_place" and e.prefix:
        name = f"{core}{e.form}{e.branch}"
    elif style == "more_place":
        district = dict(e.city.districts).get(e.district, "")
        place = (
            f"{e.city.name}{district}"  # a municipality: 北京市海淀区
            if e.city.province == e.city.name
            else f"{e.city.province}{e.city.name}"
        )
        name = f"{place}{core}{e.form}{e.branch}"
    elif style == "bracket_place" and not e.parent:
        name = f"{core}（{e.city.short}）{e.form}"
    elif style == "legal_form" and e.form in {"有限公司", "有限责任公司"}:
        other = "有限责任公司" if e.form == "有限公司" else "有限公司"
        name = f"{e.prefix}{core}{other}{e.branch}"
    elif style == "short" and not e.parent:
        name = core if rnd.random() < 0.5 else f"{e.city.short}{core}"
    else:
        style, name = "licence", e.name
    ops = [style] if style != "licence" else []
    if rnd.random() < 0.05:
        name, ops = _typo(rnd, name), [*ops, "typo"]
    if rnd.random() < 0.02:
        name, ops = "".join(TRADITIONAL.get(ch, ch) for ch in name), [*ops, "traditional"]
    if rnd.random() < 0.03:
        name, ops = _spaces(rnd, name), [*ops, "spaces"]
    if rnd.random() < 0.04:
        name, ops = _spaces(rnd, name).translate(FULL_WIDTH), [*ops, "full_width"]
    return name, ops


def observe(rnd: random.Random, e: Entity, duplicate: bool = False) -> Record:
    region = None
    if rnd.random() < 0.65:
        region = e.district if e.district and rnd.random() < 0.5 else e.city.code
    if e.kind == "individual":
        person = e.people[0]
        name, ops = e.name, []
        if rnd.random() < 0.04:
            name, ops = f"{e.name[0]} {e.name[1:]}", ["spaces"]
        elif rnd.random() < 0.02:
            name, ops = "".join(TRADITIONAL.get(ch, ch) for ch in name), ["traditional"]
        return Record(e.id, "individual", name, mobile=person.mobile,
                      email=person.email if rnd.random() < 0.3 else "", region_id=region,
                      ops=tuple(ops), duplicate=duplicate)  # fmt: skip
    name, ops = _company_name(rnd, e)
    people = rnd.sample(e.people, k=min(len(e.people), rnd.choice((1, 1, 2))))
    contacts = [
        (p.name, p.mobile if rnd.random() < 0.92 else "", p.email if rnd.random() < 0.45 else "")
        for p in people
    ]
    return Record(
        e.id,
        "enterprise",
        name,
        uscc=e.uscc if rnd.random() < 0.55 else "",
        contacts=contacts,
        region_id=region,
        switchboard=e.switchboard if rnd.random() < 0.4 else "",
        ops=tuple(ops),
        duplicate=duplicate,
    )


def generate(n: int, stream: int, seed: int) -> tuple[World, list[Record], list[Record]]:
    """The base (`n` records, 2 % second observations) and the stream of creates (2 % of them
    observations of base entities), each shuffled."""
    world = World(seed, n + stream)
    rnd = world.rnd
    base: list[Record] = []
    originals = int(n * (1 - DUPLICATE_SHARE))
    while len(base) < originals:
        world.new_entity()
        # A company's branches are born with it: each is observed too.
        for entity in world.entities[len(base) :]:
            base.append(observe(rnd, entity))
    base = base[:originals]
    seen = [r.entity for r in base]
    for _ in range(n - len(base)):
        base.append(observe(rnd, world.entities[rnd.choice(seen)], duplicate=True))
    rnd.shuffle(base)
    creates: list[Record] = []
    while len(creates) < stream:
        if rnd.random() < DUPLICATE_SHARE:
            creates.append(observe(rnd, world.entities[rnd.choice(seen)], duplicate=True))
        else:
            creates.append(observe(rnd, world.new_entity()))
    return world, base, creates


# --- measuring -------------------------------------------------------------------------------------


def _service_data(r: Record) -> tuple[dict, list[dict]]:
    data = {"kind": r.kind, "name": r.name, "region_id": r.region_id}
    if r.kind == "individual":
        data |= {"mobile": r.mobile, "email": r.email}
    else:
        data |= {"uscc": r.uscc, "switchboard": r.switchboard}
    contacts = [{"name": n, "mobile": m, "email": e} for n, m, e in r.contacts]
    return data, contacts


@dataclass
class CheckResult:
    record: Record
    candidates: list[tuple[int, str, int, str]]  # (customer id, level, score, shared key)
    ms: float


KEY_SIGNALS = (("same_uscc", "uscc"), ("same_person", "person"), ("same_phone", "phone"),
               ("same_email", "email"))  # fmt: skip


def _shared_key(match) -> str:
    return next((key for code, key in KEY_SIGNALS if code in match.assessment.codes), "")


def run_stream(
    creates: list[Record], entity_of: dict[int, int], records_of: dict[int, Record], actor
) -> dict:
    """Each create as a rep makes it: the check (timed), then the service — dropped when the
    record truly is a duplicate of what was shown, created anyway (recording the decision)
    when it is not."""
    from kehu.customers import services
    from kehu.dedup.hooks import DuplicateFound, DuplicateWarning, SimilarFound
    from kehu.dedup.matching import find_matches
    from kehu.dedup.selectors import policy

    results: list[CheckResult] = []
    outcomes = Counter()
    started = time.monotonic()
    for i, r in enumerate(creates, start=1):
        data, contacts = _service_data(r)
        lookup = dict(
            kind=r.kind,
            name=r.name,
            uscc=data.get("uscc", ""),
            mobiles=[data.get("mobile", ""), *(c["mobile"] for c in contacts)],
            emails=[data.get("email", ""), *(c["email"] for c in contacts)],
            region_code=r.region_id,
            policy=policy(),
        )
        t0 = time.perf_counter()
        find_matches(**lookup)  # the check as the guard runs it, timed
        ms = (time.perf_counter() - t0) * 1000
        every = find_matches(**lookup, threshold=0)  # for the threshold sweep
        results.append(
            CheckResult(r, [(m.customer_id, m.level, m.score, _shared_key(m)) for m in every], ms)
        )
        same = any(entity_of.get(m.customer_id) == r.entity for m in every)
        try:
            customer = services.customer_create(data=data, actor=actor, contacts=contacts)
        except (DuplicateFound, DuplicateWarning, SimilarFound) as exc:
            outcomes[exc.code] += 1
            if same or isinstance(exc, DuplicateFound):
                continue  # the rep opens the existing record instead (or cannot create)
            customer = services.customer_create(
                data=data,
                actor=actor,
                contacts=contacts,
                allow_similar=True,
                override_reason="不是同一家" if isinstance(exc, DuplicateWarning) else "",
            )
        else:
            outcomes["created"] += 1
        entity_of[customer.pk] = r.entity
        records_of[customer.pk] = r
        if i % 2000 == 0:
            print(f"  stream: {i:,} / {len(creates):,} creates ({time.monotonic() - started:.0f} s)",
                  flush=True)  # fmt: skip
    return {"results": results, "outcomes": outcomes, "seconds": time.monotonic() - started}


def check_figures(
    results: list[CheckResult],
    entity_of: dict[int, int],
    threshold: int,
    records_of: dict[int, Record] | None = None,
) -> dict:
    """Per create: refused (a blocking key), strong warning (a reason needed), warned (a probable
    duplicate at `threshold`), and whether what was shown holds a true duplicate (with examples
    of wrong warnings when `records_of` names the candidates)."""

    def right(entity, ids) -> bool:
        return any(entity_of.get(c) == entity for c in ids)

    counts = Counter()
    refusals, false_refusals = Counter(), Counter()
    wrong = []
    for res in results:
        entity = res.record.entity
        blockers = [(c, key) for c, level, _, key in res.candidates if level == "block"]
        confirm = [c for c, level, _, _ in res.candidates if level == "confirm"]
        warn = [
            c for c, level, score, _ in res.candidates if level == "warn" and score >= threshold
        ]
        if blockers:
            counts["refused"] += 1
            key = blockers[0][1]
            refusals[key] += 1
            ok = right(entity, [c for c, _ in blockers])
            false_refusals[key] += not ok
            counts["right"] += ok
        elif confirm:
            counts["confirm"] += 1
            counts["right"] += right(entity, confirm)
        elif warn:
            counts["warned"] += 1
            counts["warned_right"] += right(entity, warn)
            if records_of and not right(entity, warn) and len(wrong) < 8:
                shown = [f"{records_of[c].name}" for c in warn[:2]]
                wrong.append(f"{res.record.name} → {' / '.join(shown)}")
        if res.record.duplicate:
            counts["duplicates"] += 1
            counts["duplicates_flagged"] += right(entity, [c for c, _ in blockers] + confirm + warn)
    total = len(results)
    flagged = counts["refused"] + counts["confirm"] + counts["warned"]
    return {
        "creates": total,
        "duplicates": counts["duplicates"],
        "refused": counts["refused"],
        "refusals_by_key": dict(refusals),
        "false_refusals_by_key": {k: v for k, v in false_refusals.items() if v},
        "confirm": counts["confirm"],
        "warned": counts["warned"],
        "warned_share": round(counts["warned"] / total, 4),
        "flagged_share": round(flagged / total, 4),
        "warn_precision": round(counts["warned_right"] / counts["warned"], 4) if counts["warned"] else 1.0,
        "flag_precision": round((counts["right"] + counts["warned_right"]) / flagged, 4) if flagged else 1.0,
        "recall": round(counts["duplicates_flagged"] / counts["duplicates"], 4) if counts["duplicates"] else 1.0,
        "wrong_examples": wrong,
    }  # fmt: skip


def _pairs(groups) -> set[tuple[int, int]]:
    return {p for ids in groups for p in itertools.combinations(sorted(ids), 2)}


def scan_figures(entity_of: dict[int, int], records_of: dict[int, Record], run) -> dict:
    from kehu.dedup.models import DuplicateGroup

    members = defaultdict(list)
    for cid, entity in entity_of.items():
        members[entity].append(cid)
    truth = _pairs(m for m in members.values() if len(m) > 1)
    grouped = defaultdict(list)
    rows = DuplicateGroup.customers.through.objects.filter(duplicategroup__scan=run)
    for gid, cid in rows.values_list("duplicategroup_id", "customer_id").iterator(
        chunk_size=10_000
    ):
        grouped[gid].append(cid)
    found = _pairs(grouped.values())
    return _pair_figures(truth, found, records_of) | {"groups": len(grouped)}


def _pair_figures(truth, found, records_of) -> dict:
    def kind(p):
        return records_of[p[0]].kind

    companies = {p for p in truth if kind(p) == "enterprise"}
    people = truth - companies
    by_variant = {}
    for p in companies:
        a, b = records_of[p[0]], records_of[p[1]]
        for op in set(a.ops) | set(b.ops) or {"same_written_name"}:
            by_variant.setdefault(op, [0, 0])
            by_variant[op][0] += 1
            by_variant[op][1] += p in found
    true_found = found & truth
    return {
        "truth_pairs": len(truth),
        "found_pairs": len(found),
        "true_found": len(true_found),
        "precision": round(len(true_found) / len(found), 4) if found else 1.0,
        "recall_companies": round(len(companies & found) / len(companies), 4) if companies else 1.0,
        "recall_people": round(len(people & found) / len(people), 4) if people else 1.0,
        "recall_by_variant": {k: round(f / t, 3) for k, (t, f) in sorted(by_variant.items())},
        "wrong_examples": [
            (records_of[a].name, records_of[b].name) for a, b in sorted(found - truth)[:6]
        ],
        "missed_examples": [
            (records_of[a].name, records_of[b].name) for a, b in sorted(companies - found)[:6]
        ],
    }


def sweeps(results, entity_of, records_of, pairs) -> dict:
    """The entry check's and the scan's figures at every threshold of SWEEP."""
    from kehu.dedup import scan as scan_module

    check = {t: check_figures(results, entity_of, t) for t in SWEEP}
    members = defaultdict(list)
    for cid, entity in entity_of.items():
        members[entity].append(cid)
    truth = _pairs(m for m in members.values() if len(m) > 1)
    scan = {}
    for t in SWEEP:
        linked = [x for x in pairs if x.assessment.score >= t or x.level != "warn"]
        groups = [ids for ids, _, _ in scan_module.groups_of(linked)]
        figures = _pair_figures(truth, _pairs(groups), records_of)
        scan[t] = {k: figures[k] for k in ("precision", "recall_companies", "recall_people",
                                            "found_pairs")}  # fmt: skip
    return {"check": check, "scan": scan}


def _in_process(n: int, stream: int, db: str, seed: int) -> dict:
    from bench.dedup_quality import fresh_database, load, make_owners

    started = time.monotonic()
    fresh_database(db, DB_NAME)
    print(f"dedup truth: n={n:,} + {stream:,} creates on {db} (fresh database {DB_NAME})",
          flush=True)  # fmt: skip
    t0 = time.monotonic()
    world, base, creates = generate(n, stream, seed)
    generate_s = time.monotonic() - t0
    owners = make_owners()
    t0 = time.monotonic()
    ids = load(base, owners)
    load_s = time.monotonic() - t0
    print(f"  {len(base):,} records of {len(world.entities):,} entities generated in "
          f"{generate_s:.0f} s, loaded in {load_s:.0f} s", flush=True)  # fmt: skip

    from kehu.accounts import services as accounts
    from kehu.accounts.choices import RoleCode
    from kehu.accounts.models import Role
    from kehu.dedup import scan as scan_module
    from kehu.dedup.matching import CHECK_THRESHOLD
    from kehu.dedup.models import ScanRun

    entity_of = {cid: r.entity for cid, r in zip(ids, base, strict=True)}
    records_of = {cid: r for cid, r in zip(ids, base, strict=True)}
    # An administrator enters the stream: every candidate is visible, its id known.
    admin = accounts.user_create(username="dedup.admin", password=None, actor=None,
                                 department=None, roles=[Role.objects.get(code=RoleCode.ADMIN)],
                                 manager=None)  # fmt: skip
    streamed = run_stream(creates, entity_of, records_of, admin)
    results = streamed["results"]

    run = ScanRun.objects.create()
    t0 = time.monotonic()
    run = scan_module.scan_execute(run.pk)
    scan_s = time.monotonic() - t0
    if run.status != "done":
        raise SystemExit(f"scan failed: {run.error}")
    scan = scan_figures(entity_of, records_of, run)
    # The truth beside the database, for looking into what was missed or wrong.
    (config.DATA_DIR / f"{DB_NAME}_{db}.json").write_text(
        json.dumps({cid: [r.entity, r.kind, r.name, list(r.ops)] for cid, r in records_of.items()},
                   ensure_ascii=False),
        encoding="utf-8",
    )  # fmt: skip
    pairs = scan_module.linked_pairs(run, scan_module.candidate_pairs(run), threshold=min(SWEEP))
    times = sorted(r.ms for r in results)
    check = check_figures(results, entity_of, CHECK_THRESHOLD, records_of)
    check["median_ms"] = round(statistics.median(times), 2)
    check["p95_ms"] = round(times[int(len(times) * 0.95) - 1], 2)
    figures = {
        "n": n,
        "db": db,
        "seed": seed,
        "customers": len(entity_of),
        "entities": len(world.entities),
        "check_threshold": CHECK_THRESHOLD,
        "scan_threshold": scan_module.SCAN_THRESHOLD,
        "check": check,
        "stream_outcomes": dict(streamed["outcomes"]),
        "stream_seconds": round(streamed["seconds"], 1),
        "scan": scan,
        "scan_seconds": round(scan_s, 1),
        "sweep": sweeps(results, entity_of, records_of, pairs),
        "total_seconds": round(time.monotonic() - started, 1),
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }
    figures["met"] = {
        "scan_precision": scan["precision"] >= TARGETS["scan_precision"],
        "scan_recall": scan["recall_companies"] >= TARGETS["scan_recall"],
        "check_precision": check["warn_precision"] >= TARGETS["check_precision"],
        "warned_share": check["warned_share"] < TARGETS["warned_share"],
        "false_uscc_refusals": check["false_refusals_by_key"].get("uscc", 0) == 0,
    }
    return figures


def run(n: int = 100_000, db: str = "sqlite", stream: int = STREAM, seed: int = 11) -> dict:
    """The figures as a dict; from a process whose Django points elsewhere (bench.run) the
    measurement runs in a child process with its own database."""
    from django.conf import settings

    if not settings.configured:
        return _in_process(n, stream, db, seed)
    from bench.dedup_quality import in_child_process

    return in_child_process(
        "bench.dedup_truth",
        ["--n", str(n), "--db", db, "--stream", str(stream), "--seed", str(seed)],
    )


def report(f: dict) -> str:
    def mark(key):
        return "OK" if f["met"][key] else "MISSED"

    c, s = f["check"], f["scan"]
    lines = [
        f"Independent quality set (bench.dedup_truth): {f['customers']:,} customers "
        f"({f['n']:,} loaded + {c['creates']:,} creates, 2 % duplicates each) of "
        f"{f['entities']:,} companies and people, {f['db']}, load average "
        f"{' / '.join(map(str, f['load_average']))}",
        f"  entry check (相似度 ≥ {f['check_threshold']}): {c['creates']:,} creates, "
        f"{c['duplicates']} true duplicates; median {c['median_ms']} ms, p95 {c['p95_ms']} ms",
        f"    warned {c['warned']} = {c['warned_share']:.2%} of creates   target < 2 %   "
        f"{mark('warned_share')}",
        f"    warnings' precision {c['warn_precision']:.4f}   target ≥ 0.9   {mark('check_precision')}",
        f"    refused {c['refused']} (by key {c['refusals_by_key']}), false refusals "
        f"{c['false_refusals_by_key'] or 0}; credit code: "
        f"{c['false_refusals_by_key'].get('uscc', 0)}   target 0   {mark('false_uscc_refusals')}",
        *(
            ["    wrong warnings, e.g.: " + "; ".join(c["wrong_examples"])]
            if c["wrong_examples"]
            else []
        ),
        f"    strong warnings (reason needed) {c['confirm']}; all flags {c['flagged_share']:.2%} "
        f"of creates, precision {c['flag_precision']:.4f}; duplicates flagged (recall) "
        f"{c['recall']:.4f}",
        f"  scan (相似度 ≥ {f['scan_threshold']}): {f['scan_seconds']} s, {s['groups']:,} groups, "
        f"{s['found_pairs']:,} pairs ({s['true_found']:,} true of {s['truth_pairs']:,})",
        f"    precision {s['precision']:.4f}   target ≥ 0.98   {mark('scan_precision')}",
        f"    recall, companies (name variants) {s['recall_companies']:.4f}   target ≥ 0.95   "
        f"{mark('scan_recall')}; people {s['recall_people']:.4f}",
        "    recall by how the names differ: "
        + ", ".join(f"{k} {v:.3f}" for k, v in s["recall_by_variant"].items()),
    ]
    if s["wrong_examples"]:
        lines.append(
            "    wrong pairs, e.g.: " + "; ".join(" = ".join(p) for p in s["wrong_examples"])
        )
    if s["missed_examples"]:
        lines.append("    missed, e.g.: " + "; ".join(" = ".join(p) for p in s["missed_examples"]))
    lines.append("  by threshold (entry: warned share / precision / recall of duplicates; "
                 "scan: precision / recall companies / people):")  # fmt: skip
    for t in SWEEP:
        ch, sc = f["sweep"]["check"][str(t)], f["sweep"]["scan"][str(t)]
        lines.append(
            f"    {t:>3}: entry {ch['warned_share']:.2%} / {ch['warn_precision']:.3f} / "
            f"{ch['recall']:.3f}   scan {sc['precision']:.4f} / {sc['recall_companies']:.4f} / "
            f"{sc['recall_people']:.4f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Duplicate detection on an independent set")
    parser.add_argument("--n", type=int, default=100_000, help="customers loaded")
    parser.add_argument("--stream", type=int, default=STREAM, help="creates through the service")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json-out", help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    figures = json.loads(json.dumps(_in_process(args.n, args.stream, args.db, args.seed)))
    print(report(figures))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, ensure_ascii=False), encoding="utf-8")
    return 0 if all(figures["met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
