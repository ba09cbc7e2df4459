from django.db import models
from django.utils.translation import gettext_lazy as _


class DataScope(models.TextChoices):
    """How much of the company's data a role sees (DOMAIN.md 数据权限), narrowest first."""

    OWN = "own", _("本人")
    OWN_AND_REPORTS = "own_and_reports", _("本人及下属")
    DEPARTMENT = "department", _("本部门")
    DEPARTMENT_TREE = "department_tree", _("本部门及下级部门")
    ALL = "all", _("全公司")


class RoleCode(models.TextChoices):
    ADMIN = "admin", _("管理员")
    SALES_MANAGER = "sales_manager", _("销售经理")
    SALES_REP = "sales_rep", _("销售代表")
    SERVICE_AGENT = "service_agent", _("客服专员")
    MARKETING = "marketing", _("市场专员")
