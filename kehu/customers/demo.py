"""Demo customers for the demo people (kehu/accounts/demo.py runs first)."""

import datetime as dt
import random
from decimal import Decimal

from stdnum.cn import uscc

from kehu.accounts.models import User
from kehu.customers.choices import CustomerKind, CustomerStatus, SizeBand, Urgency
from kehu.customers.models import SourceChannel
from kehu.customers.services import customer_create

COMPANIES = [
    ("上海云帆智能科技有限公司", "310115", "65", "技术咨询"),
    ("杭州青禾食品股份有限公司", "330106", "14", "采购设备"),
    ("北京中科启明软件有限公司", "110108", "65", "定制化需求"),
    ("苏州华瑞精密机械有限公司", "320505", "35", "采购设备"),
    ("深圳市蓝海跨境电子商务有限公司", "440305", "51", "寻求合作"),
    ("成都锦程物流有限公司", "510107", "54", "寻求合作"),
    ("广州南方医疗器械有限公司", "440106", "35", "采购设备"),
    ("南京金陵建筑设计院有限公司", "320106", "74", "技术咨询"),
    ("武汉长江新材料股份有限公司", "420111", "30", "定制化需求"),
    ("宁波港城汽车零部件有限公司", "330212", "36", "采购设备"),
]
PEOPLE = [("周晓梅", "女"), ("吴建国", "男"), ("郑丽华", "女")]
CONTACTS = ["王磊", "李静", "陈刚", "刘芳", "杨帆", "赵强", "黄蓉", "孙浩", "马丽", "朱军"]


def _uscc(n: int) -> str:
    body = f"91{310000 + n:06d}{'MA1K' + str(n).zfill(5)}"[:17]
    return body + uscc.calc_check_digit(body)


def load(stdout) -> None:
    rng = random.Random(20240515)
    reps = list(User.objects.filter(username__in=["zhang.wei", "chen.jing", "liu.yang"]))
    sources = list(SourceChannel.objects.all())
    today = dt.date.today()
    for i, (name, region, industry, need) in enumerate(COMPANIES):
        owner = reps[i % len(reps)]
        low = Decimal(rng.choice([10, 20, 50, 80]))
        customer_create(
            actor=owner,
            data={
                "kind": CustomerKind.ENTERPRISE,
                "name": name,
                "uscc": _uscc(i + 1),
                "status": rng.choice(CustomerStatus.values[:3]),
                "region_id": region,
                "industry_id": industry,
                "source_id": rng.choice(sources).pk,
                "size_band": rng.choice(SizeBand.values),
                "urgency": rng.choice(Urgency.values),
                "first_contact_date": today - dt.timedelta(days=rng.randint(3, 400)),
                "need_tags": [need],
                "core_need": f"{need}：希望年内完成选型",
                "budget_min": low,
                "budget_max": low + 30,
                "decision_chain": ["技术部评估", "财务部审批", "总经理确认"],
                "pending_fields": [] if i % 3 else ["budget_min", "budget_max"],
            },
            contacts=[
                {
                    "name": CONTACTS[i],
                    "position": "采购经理",
                    "decision_role": "decider",
                    "mobile": f"139{rng.randint(10000000, 99999999)}",
                    "email": f"contact{i + 1}@example.com",
                }
            ],
        )
    for j, (person, gender) in enumerate(PEOPLE):
        customer_create(
            actor=reps[j % len(reps)],
            data={
                "kind": CustomerKind.INDIVIDUAL,
                "name": person,
                "gender": "female" if gender == "女" else "male",
                "mobile": f"137{rng.randint(10000000, 99999999)}",
                "region_id": "310104",
                "status": CustomerStatus.INTENT,
                "source_id": sources[0].pk,
            },
        )
    stdout.write(f"Demo customers: {len(COMPANIES) + len(PEOPLE)}")
