"""Field rules for customers and contacts, each returning a Chinese message for its field.

Services call `normalize_*` first, then `validate_*`, and raise one ValidationFailed carrying
every field error at once, so a form or API client can show them all.
"""

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumError

MOBILE_RE = re.compile(r"1[3-9]\d{9}")
LANDLINE_RE = re.compile(r"0\d{2,3}-\d{7,8}(-\d{1,6})?")
FOUNDED_RE = re.compile(r"(\d{4})-(\d{2})")


def today() -> dt.date:
    return timezone.localdate()


def mobile_error(value: str) -> str | None:
    if value and not MOBILE_RE.fullmatch(value):
        return "手机号应为 11 位数字，以 13-19 开头"
    return None


def landline_error(value: str) -> str | None:
    if value and not LANDLINE_RE.fullmatch(value):
        return "座机格式应为 区号-号码，例如 021-12345678"
    return None


def email_error(value: str) -> str | None:
    if not value:
        return None
    try:
        EmailValidator()(value)
    except ValidationError:
        return "邮箱格式不正确"
    return None


def url_error(value: str) -> str | None:
    if not value:
        return None
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return "网址格式不正确，例如 https://www.example.com"
    return None


def uscc_error(value: str) -> str | None:
    if not value:
        return None
    if len(value) != 18:
        return "统一社会信用代码应为 18 位"
    try:
        stdnum_uscc.validate(value)
    except StdnumError:
        return "统一社会信用代码校验位不正确（GB 32100-2015）"
    return None


def past_date_error(value: dt.date | None, label: str) -> str | None:
    if value and value > today():
        return f"{label}不能晚于今天"
    return None


def founded_error(value: str) -> str | None:
    if not value:
        return None
    match = FOUNDED_RE.fullmatch(value)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1800:
        return "成立时间格式应为 YYYY-MM"
    if value > today().strftime("%Y-%m"):
        return "成立时间不能晚于本月"
    return None


def budget_errors(low: Decimal | None, high: Decimal | None) -> dict[str, str]:
    errors = {}
    for field, value in (("budget_min", low), ("budget_max", high)):
        if value is not None and value < 0:
            errors[field] = "预算不能为负数"
    if low is not None and high is not None and low > high and not errors:
        errors["budget_max"] = "预算上限不能小于下限"
    return errors
