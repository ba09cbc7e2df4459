from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业客户")
    INDIVIDUAL = "individual", _("个人客户")


class CustomerStatus(models.TextChoices):
    POTENTIAL = "potential", _("潜在客户")
    INTENT = "intent", _("意向客户")
    CUSTOMER = "customer", _("成交客户")
    CHURNED = "churned", _("流失客户")


class SizeBand(models.TextChoices):
    UNDER_50 = "lt50", _("50人以下")
    FROM_50 = "50-100", _("50-100人")
    FROM_100 = "100-500", _("100-500人")
    FROM_500 = "500-1000", _("500-1000人")
    OVER_1000 = "gt1000", _("1000人以上")


class RevenueBand(models.TextChoices):
    UNDER_5M = "lt500w", _("500万以下")
    FROM_5M = "500w-2000w", _("500万-2000万")
    FROM_20M = "2000w-1y", _("2000万-1亿")
    FROM_100M = "1y-10y", _("1亿-10亿")
    OVER_1B = "gt10y", _("10亿以上")


class Ownership(models.TextChoices):
    STATE = "state", _("国企")
    PRIVATE = "private", _("民企")
    FOREIGN = "foreign", _("外企")
    JOINT = "joint", _("合资")
    INSTITUTION = "institution", _("事业单位")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class AgeBand(models.TextChoices):
    UNDER_25 = "lt25", _("25岁以下")
    FROM_25 = "25-34", _("25-34岁")
    FROM_35 = "35-44", _("35-44岁")
    FROM_45 = "45-54", _("45-54岁")
    OVER_55 = "gte55", _("55岁及以上")


class Urgency(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    MEETING = "meeting", _("面谈")
    EMAIL = "email", _("邮件")
    WECHAT = "wechat", _("微信")


class DecisionRole(models.TextChoices):
    DECIDER = "decider", _("决策者")
    INFLUENCER = "influencer", _("影响者")
    EVALUATOR = "evaluator", _("评估者")
    USER = "user", _("使用者")


DEFAULT_SOURCE_CHANNELS = [
    "电话",
    "官网表单",
    "展会",
    "渠道推荐",
    "客户转介绍",
    "线上广告",
    "电话陌拜",
    "社交媒体",
    "电商平台",
    "线下拜访",
    "行业峰会",
    "其他",
]

# The defaults' English names (shown in the English UI), by their Chinese name.
DEFAULT_SOURCE_CHANNELS_EN = {
    "电话": "Phone",
    "官网表单": "Website form",
    "展会": "Trade show",
    "渠道推荐": "Partner referral",
    "客户转介绍": "Customer referral",
    "线上广告": "Online ads",
    "电话陌拜": "Cold call",
    "社交媒体": "Social media",
    "电商平台": "E-commerce platform",
    "线下拜访": "Field visit",
    "行业峰会": "Industry summit",
    "其他": "Other",
}

NEED_TAG_SUGGESTIONS = ["采购设备", "寻求合作", "技术咨询", "定制化需求"]
