"""English names of the administrative divisions (GB/T 2260), for the English interface.

Run once when regions.csv changes (`python -m kehu.refdata.english`): it writes the `name_en`
column, which the data migration loads, so nothing here runs in the product.

The standard romanisation of Chinese place names is Hanyu Pinyin (GB/T 17693, adopted by the
UN in 1977), written as one word with the administrative type translated: 南山区 → Nanshan
District, 昆山市 → Kunshan, 延边朝鲜族自治州 → Yanbian Korean Autonomous Prefecture.
Provinces, and the cities whose English name is not their pinyin (Hohhot, Urumqi, Lhasa …), use
the names in standard English use. Pinyin comes from pypinyin, corrected for the place names
it reads otherwise (朝阳 is Chaoyang, 单县 Shanxian).
"""

import csv
import re

from pypinyin import lazy_pinyin, load_phrases_dict

from kehu.refdata.loaders import REGIONS_CSV

PROVINCES = {
    "110000": "Beijing", "120000": "Tianjin", "130000": "Hebei", "140000": "Shanxi",
    "150000": "Inner Mongolia", "210000": "Liaoning", "220000": "Jilin",
    "230000": "Heilongjiang", "310000": "Shanghai", "320000": "Jiangsu", "330000": "Zhejiang",
    "340000": "Anhui", "350000": "Fujian", "360000": "Jiangxi", "370000": "Shandong",
    "410000": "Henan", "420000": "Hubei", "430000": "Hunan", "440000": "Guangdong",
    "450000": "Guangxi", "460000": "Hainan", "500000": "Chongqing", "510000": "Sichuan",
    "520000": "Guizhou", "530000": "Yunnan", "540000": "Tibet", "610000": "Shaanxi",
    "620000": "Gansu", "630000": "Qinghai", "640000": "Ningxia", "650000": "Xinjiang",
    "710000": "Taiwan", "810000": "Hong Kong", "820000": "Macao",
}  # fmt: skip

# Whole names whose English is not their pinyin (established names, islands, special units).
NAMES = {
    "呼和浩特市": "Hohhot", "乌鲁木齐市": "Urumqi", "拉萨市": "Lhasa", "哈尔滨市": "Harbin",
    "齐齐哈尔市": "Qiqihar", "喀什地区": "Kashgar Prefecture", "喀什市": "Kashgar",
    "日喀则市": "Shigatse", "吐鲁番市": "Turpan", "克拉玛依市": "Karamay",
    "阿勒泰地区": "Altay Prefecture", "阿勒泰市": "Altay", "和田地区": "Hotan Prefecture",
    "和田市": "Hotan", "阿克苏地区": "Aksu Prefecture", "阿克苏市": "Aksu", "库尔勒市": "Korla",
    "伊犁哈萨克自治州": "Ili Kazakh Autonomous Prefecture", "伊宁市": "Yining",
    "博尔塔拉蒙古自治州": "Bortala Mongol Autonomous Prefecture",
    "巴音郭楞蒙古自治州": "Bayingolin Mongol Autonomous Prefecture",
    "克孜勒苏柯尔克孜自治州": "Kizilsu Kirgiz Autonomous Prefecture",
    "锡林郭勒盟": "Xilingol League", "阿拉善盟": "Alxa League", "兴安盟": "Hinggan League",
    "鄂尔多斯市": "Ordos", "呼伦贝尔市": "Hulunbuir", "海拉尔区": "Hailar District",
    "满洲里市": "Manzhouli", "白云鄂博矿区": "Bayan Obo Mining District",
    "香格里拉市": "Shangri-La", "澳门特别行政区": "Macao", "香港特别行政区": "Hong Kong",
    "南沙群岛": "Nansha Islands", "西沙群岛": "Xisha Islands",
    "中沙群岛的岛礁及其海域": "Zhongsha Islands", "神农架林区": "Shennongjia Forestry District",
    "乌拉盖管理区管委会": "Wulagai Administrative Area", "保定白沟新城": "Baigou New Town",
    "大柴旦行政委员会": "Da Qaidam Administrative Committee", "清新区": "Qingxin District",
}  # fmt: skip

# Pinyin of place names pypinyin reads otherwise (each character's reading in the name).
PHRASES = {
    "朝阳": "chao yang", "单县": "shan xian", "长治": "chang zhi", "长垣": "chang yuan",
    "郫都": "pi du", "什邡": "shi fang", "繁峙": "fan shi", "洪洞": "hong tong",
    "筠连": "jun lian", "长汀": "chang ting", "长乐": "chang le", "长沙": "chang sha",
    "长宁": "chang ning", "长岭": "chang ling", "长清": "chang qing", "长丰": "chang feng",
    "长泰": "chang tai", "长阳": "chang yang", "长白": "chang bai", "长武": "chang wu",
    "长顺": "chang shun", "长海": "chang hai", "长葛": "chang ge", "长兴": "chang xing",
    "长寿": "chang shou", "长安": "chang an", "长春": "chang chun", "长沙县": "chang sha xian",
    "大都": "da du", "花都": "hua du", "成都": "cheng du", "都匀": "du yun", "都安": "du an",
    "都兰": "du lan", "都昌": "du chang", "宁都": "ning du", "丰都": "feng du",
    "番禺": "pan yu", "六安": "lu an", "六合": "lu he", "乐清": "yue qing", "乐亭": "lao ting",
    "蔚县": "yu xian", "莘县": "shen xian", "铅山": "yan shan", "台州": "tai zhou",
    "天台": "tian tai", "会稽": "kuai ji", "阿城": "a cheng", "黄陂": "huang pi",
    "枞阳": "zong yang", "歙县": "she xian", "盱眙": "xu yi", "浚县": "xun xian",
    "柞水": "zha shui", "犍为": "qian wei", "荥阳": "xing yang", "荥经": "ying jing",
    "牟平": "mu ping", "鄯善": "shan shan", "阆中": "lang zhong", "珙县": "gong xian",
    "綦江": "qi jiang", "北碚": "bei bei", "巴南": "ba nan", "行唐": "xing tang",
    "茌平": "chi ping", "东阿": "dong e", "曲阜": "qu fu", "曲靖": "qu jing",
    "蚌埠": "beng bu", "厦门": "xia men", "亳州": "bo zhou", "濮阳": "pu yang",
    "尉氏": "wei shi", "会昌": "hui chang", "会同": "hui tong", "会理": "hui li",
    "会泽": "hui ze", "弥勒": "mi le", "屏边": "ping bian", "重庆": "chong qing",
    "大冶": "da ye", "藁城": "gao cheng", "井陉": "jing xing", "句容": "ju rong",
}  # fmt: skip

ETHNIC = {
    "满族": "Manchu", "蒙古族": "Mongol", "蒙古": "Mongol", "回族": "Hui", "达斡尔族": "Daur",
    "鄂伦春": "Oroqen", "鄂温克族": "Evenki", "朝鲜族": "Korean", "畲族": "She",
    "土家族": "Tujia", "苗族": "Miao", "瑶族": "Yao", "侗族": "Dong", "壮族": "Zhuang",
    "各族": "Various Ethnic Groups", "仫佬族": "Mulao", "毛南族": "Maonan", "黎族": "Li",
    "羌族": "Qiang", "彝族": "Yi", "藏族": "Tibetan", "仡佬族": "Gelao", "布依族": "Bouyei",
    "水族": "Shui", "傣族": "Dai", "哈尼族": "Hani", "纳西族": "Naxi", "拉祜族": "Lahu",
    "佤族": "Va", "布朗族": "Blang", "白族": "Bai", "景颇族": "Jingpo", "傈僳族": "Lisu",
    "独龙族": "Derung", "怒族": "Nu", "普米族": "Pumi", "裕固族": "Yugur", "哈萨克族": "Kazakh",
    "哈萨克": "Kazakh", "东乡族": "Dongxiang", "保安族": "Bonan", "撒拉族": "Salar",
    "土族": "Tu", "柯尔克孜": "Kirgiz", "塔吉克": "Tajik", "锡伯": "Xibe",
}  # fmt: skip

# Administrative types, longest first; "" means the name alone (a city).
SUFFIXES = [
    ("高新技术产业开发区", "High-tech Industrial Development Zone"),
    ("高技术产业开发区", "High-tech Industrial Development Zone"),
    ("高新技术产业园区", "High-tech Industrial Park"),
    ("高新技术开发区", "High-tech Development Zone"),
    ("经济技术开发区", "Economic and Technological Development Zone"),
    ("文化旅游创意园区", "Cultural Tourism Creative Park"),
    ("循环化工园区", "Circular Chemical Industrial Park"),
    ("现代产业园区", "Modern Industrial Park"),
    ("示范区", "Demonstration Zone"),
    ("经济开发区", "Economic Development Zone"),
    ("工业园区", "Industrial Park"),
    ("临港开发区", "Port Development Zone"),
    ("开发区", "Development Zone"),
    ("自治县", "Autonomous County"),
    ("自治州", "Autonomous Prefecture"),
    ("自治旗", "Autonomous Banner"),
    ("新区", "New Area"),
    ("矿区", "Mining District"),
    ("特区", "Special District"),
    ("地区", "Prefecture"),
    ("区", "District"),
    ("县", "County"),
    ("旗", "Banner"),
    ("盟", "League"),
    ("市", ""),
]
# Placeholder levels that full names leave out (refdata.loaders), named for the region picker.
PLACEHOLDERS = {
    "市辖区": "City districts",
    "县": "Counties",
    "省直辖县级行政区划": "County-level divisions of the province",
    "自治区直辖县级行政区划": "County-level divisions of the region",
}
# A province's name at the start of a zone's name (河北唐山芦台经济开发区), and its English.
PROVINCE_PREFIXES = {
    "北京": "Beijing", "天津": "Tianjin", "河北": "Hebei", "山西": "Shanxi",
    "内蒙古": "Inner Mongolia", "辽宁": "Liaoning", "吉林": "Jilin", "黑龙江": "Heilongjiang",
    "上海": "Shanghai", "江苏": "Jiangsu", "浙江": "Zhejiang", "安徽": "Anhui",
    "福建": "Fujian", "江西": "Jiangxi", "山东": "Shandong", "河南": "Henan", "湖北": "Hubei",
    "湖南": "Hunan", "广东": "Guangdong", "广西": "Guangxi", "海南": "Hainan",
    "重庆": "Chongqing", "四川": "Sichuan", "贵州": "Guizhou", "云南": "Yunnan",
    "西藏": "Tibet", "陕西": "Shaanxi", "甘肃": "Gansu", "青海": "Qinghai", "宁夏": "Ningxia",
    "新疆": "Xinjiang",
}  # fmt: skip
VOWEL_START = re.compile(r"^[aoe]")

load_phrases_dict({word: [[s] for s in reading.split()] for word, reading in PHRASES.items()})


def pinyin_word(chinese: str, following: str = "") -> str:
    """建邺 → Jianye, 西安 → Xi'an: one capitalised word, an apostrophe before a syllable that
    starts with a, o or e. `following` is the rest of the name (单 of 单县 is read shan)."""
    syllables = lazy_pinyin(chinese + following)[: len(chinese)]
    text = syllables[0] + "".join(f"'{s}" if VOWEL_START.match(s) else s for s in syllables[1:])
    return text[:1].upper() + text[1:]


def _words(chinese: str, parent: tuple[str, str] = ("", ""), following: str = "") -> list[str]:
    """The place part as words: a leading province or city name is a word of its own, in its
    English (河北唐山芦台 → Hebei Tangshan Lutai; 拉萨 → Lhasa). `parent` is the (Chinese name
    without its type, English name) of the division above."""
    words = []
    for prefixes in (PROVINCE_PREFIXES, dict([parent]) if parent[0] else {}):
        for prefix in sorted(prefixes, key=len, reverse=True):
            if chinese.startswith(prefix):
                words.append(prefixes[prefix])
                chinese = chinese[len(prefix) :].removeprefix("市")
                break
    return [*words, pinyin_word(chinese, following)] if chinese else words


def english_name(
    name: str, code: str, level: int, parent_name: str = "", parent_english: str = ""
) -> str:
    """The English name of one division."""
    if level == 1:
        return PROVINCES[code]
    if name in NAMES:
        return NAMES[name]
    if name in PLACEHOLDERS:
        return PLACEHOLDERS[name]
    place, kind, suffix = name, "", ""
    for candidate, english in SUFFIXES:
        if name.endswith(candidate) and len(name) > len(candidate):
            place, kind, suffix = name[: -len(candidate)], english, candidate
            break
    ethnic = []
    if kind.startswith("Autonomous"):
        place, ethnic = _ethnic_groups(place)
    parent = (re.sub(r"(市|地区|盟|自治州)$", "", parent_name), parent_english.split(" ")[0])
    words = [*_words(place, parent, following=suffix if not ethnic else ""), *ethnic]
    return " ".join([*words, kind]).strip()


def _ethnic_groups(place: str) -> tuple[str, list[str]]:
    """延边朝鲜族 → ("延边", ["Korean"]); 双江拉祜族佤族布朗族傣族 → four groups."""
    found = []
    changed = True
    while changed:
        changed = False
        for chinese, english in sorted(ETHNIC.items(), key=lambda kv: -len(kv[0])):
            if place.endswith(chinese) and len(place) > len(chinese):
                found.insert(0, english)
                place = place[: -len(chinese)]
                changed = True
                break
    return place, found


def write_column() -> int:
    """Rewrite regions.csv with its `name_en` column; returns the number of rows."""
    with open(REGIONS_CSV, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_code = {row["code"]: row for row in rows}
    for row in sorted(rows, key=lambda r: int(r["level"])):  # parents first
        parent = by_code.get(row["parent_code"], {})
        row["name_en"] = english_name(
            row["name"],
            row["code"],
            int(row["level"]),
            parent.get("name", ""),
            parent.get("name_en", ""),
        )
    with open(REGIONS_CSV, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(
            f, ["code", "name", "parent_code", "level", "name_en"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    print(f"regions.csv: {write_column()} rows with English names")
