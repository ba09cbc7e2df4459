from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.core.language import localized
from kehu.core.models import TimeStampedModel
from kehu.customers.choices import (
    AgeBand,
    ContactMethod,
    CustomerKind,
    CustomerStatus,
    DecisionRole,
    Gender,
    Ownership,
    RevenueBand,
    SizeBand,
    Urgency,
)


class SourceChannel(models.Model):
    """Where a customer came from (来源渠道); administrators edit the list."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    name_en = models.CharField(
        _("英文名称"), max_length=50, blank=True, help_text=_("英文界面显示；留空则显示中文名称")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("来源渠道")
        verbose_name_plural = _("来源渠道")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name in the request's language."""
        return localized(self.name, self.name_en)


def shared_with(user):
    """The ids of the customers `user` collaborates on (协作), as a subquery."""
    return Customer.collaborators.through.objects.filter(user_id=user.pk).values("customer_id")


class Customer(TimeStampedModel):
    """A customer record (客户档案): an enterprise or a person, owned by one user or in the pool.

    Written only through customers.services; `version` guards against lost updates when two
    people edit the same record. `owner` changes only through customer_transfer.
    """

    scope_module = "customers"
    scope_owner_field = "owner"

    number = models.CharField(_("客户编号"), max_length=30, unique=True, editable=False)
    kind = models.CharField(_("客户类型"), max_length=20, choices=CustomerKind.choices)
    status = models.CharField(
        _("客户状态"),
        max_length=20,
        choices=CustomerStatus.choices,
        default=CustomerStatus.POTENTIAL,
    )
    name = models.CharField(
        _("客户名称"), max_length=200, help_text=_("企业填营业执照上的全称；个人填姓名")
    )
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_customers",
        db_index=False,  # customer_owner_updated_idx leads with the owner
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("协作人"),
        blank=True,
        related_name="collaborating_customers",
    )
    source = models.ForeignKey(
        SourceChannel,
        verbose_name=_("来源渠道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    first_contact_date = models.DateField(_("首次接触日期"), null=True, blank=True)
    region = models.ForeignKey(
        "refdata.Region",
        verbose_name=_("所在地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)

    # Enterprise (企业)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    industry = models.ForeignKey(
        "refdata.Industry",
        verbose_name=_("所属行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    size_band = models.CharField(_("企业规模"), max_length=20, choices=SizeBand.choices, blank=True)
    revenue_band = models.CharField(
        _("年营收"), max_length=20, choices=RevenueBand.choices, blank=True
    )
    founded = models.CharField(_("成立时间"), max_length=7, blank=True, help_text="YYYY-MM")
    ownership = models.CharField(
        _("企业性质"), max_length=20, choices=Ownership.choices, blank=True
    )
    main_business = models.TextField(_("主营业务"), blank=True)
    main_customer_groups = models.CharField(_("主要客户群体"), max_length=200, blank=True)
    competitors = models.CharField(_("竞争对手"), max_length=200, blank=True)
    switchboard = models.CharField(_("总机"), max_length=30, blank=True)
    website = models.URLField(_("官网"), max_length=200, blank=True)

    # Individual (个人)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("年龄段"), max_length=10, choices=AgeBand.choices, blank=True)
    occupation = models.CharField(_("职业"), max_length=50, blank=True)
    birthday = models.DateField(_("生日"), null=True, blank=True)
    mobile = models.CharField(_("手机号"), max_length=11, blank=True, db_index=True)
    email = models.EmailField(_("邮箱"), max_length=254, blank=True, db_index=True)
    wechat = models.CharField(_("微信号"), max_length=50, blank=True)
    interests = models.CharField(_("兴趣爱好"), max_length=200, blank=True)
    buying_habits = models.CharField(_("消费习惯"), max_length=200, blank=True)
    purchase_history = models.TextField(_("购买记录"), blank=True)

    # Needs (需求)
    core_need = models.TextField(_("核心需求"), blank=True)
    need_tags = models.JSONField(_("需求标签"), default=list, blank=True)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, blank=True)
    budget_min = models.DecimalField(
        _("预算下限（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    budget_max = models.DecimalField(
        _("预算上限（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision_chain = models.JSONField(
        _("决策链"), default=list, blank=True, help_text=_("按顺序的决策步骤")
    )
    current_solution = models.TextField(_("现有方案"), blank=True)
    pain_points = models.TextField(_("痛点"), blank=True)
    expected_outcome = models.TextField(_("期望效果"), blank=True)
    preferred_contact = models.CharField(
        _("偏好联系方式"), max_length=10, choices=ContactMethod.choices, blank=True
    )

    # Notes (备注)
    special_requirements = models.TextField(_("特殊要求"), blank=True)
    risk_notes = models.TextField(_("风险提示"), blank=True)
    remarks = models.TextField(_("其他备注"), blank=True)

    pending_fields = models.JSONField(_("待确认字段"), default=list, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["-updated_at", "-id"]
        permissions = [
            ("reveal_pii", _("查看完整联系方式")),
            ("transfer_customer", _("转移客户负责人")),
        ]
        indexes = [
            # Each offered sort (filters.SORTS) twice: for the whole company, and led by the
            # owner, so that a rep's list is one ordered range in any sort (without, PostgreSQL
            # walked the whole name index for a rep's ?sort=name: 150 ms).
            models.Index(fields=["-updated_at", "-id"], name="customer_updated_idx"),
            models.Index(fields=["owner", "-updated_at", "-id"], name="customer_owner_updated_idx"),
            models.Index(fields=["-created_at", "-id"], name="customer_created_idx"),
            models.Index(fields=["owner", "-created_at", "-id"], name="customer_owner_created_idx"),
            models.Index(fields=["name", "id"], name="customer_name_idx"),
            models.Index(fields=["owner", "name", "id"], name="customer_owner_name_idx"),
            models.Index(fields=["owner", "number"], name="customer_owner_number_idx"),
            models.Index(
                fields=["status", "-updated_at", "-id"], name="customer_status_updated_idx"
            ),
            # The status (pipeline stage) filter in a scoped list: the page and its capped count
            # are index ranges per owner instead of a scan for a thousand matches.
            models.Index(
                fields=["owner", "status", "-updated_at", "-id"],
                name="customer_owner_status_idx",
            ),
            # Customers with 待确认 fields (a few percent of them), newest first: the 今日
            # panel and the list's `pending` filter read a range of these instead of testing
            # every customer (filters.HAS_PENDING is the same condition).
            models.Index(
                fields=["-updated_at", "-id"],
                name="customer_pending_idx",
                condition=~Q(pending_fields=[]),
            ),
            models.Index(
                fields=["owner", "-updated_at", "-id"],
                name="customer_owner_pending_idx",
                condition=~Q(pending_fields=[]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=models.F("budget_max")),
                name="customer_budget_min_lte_max",
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def scope_shared_q(cls, user):
        return Q(pk__in=shared_with(user))

    @property
    def is_enterprise(self) -> bool:
        return self.kind == CustomerKind.ENTERPRISE


class Contact(TimeStampedModel):
    """A person at a customer (联系人). An enterprise customer has exactly one primary contact."""

    scope_module = "customers"
    scope_owner_field = "customer__owner"

    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职位"), max_length=50, blank=True)
    mobile = models.CharField(_("手机号"), max_length=11, blank=True, db_index=True)
    landline = models.CharField(_("座机"), max_length=30, blank=True)
    email = models.EmailField(_("邮箱"), max_length=254, blank=True, db_index=True)
    wechat = models.CharField(_("微信号"), max_length=50, blank=True)
    birthday = models.DateField(_("生日"), null=True, blank=True)
    decision_role = models.CharField(
        _("决策角色"), max_length=20, choices=DecisionRole.choices, blank=True
    )
    is_primary = models.BooleanField(_("主联系人"), default=False)
    has_left = models.BooleanField(_("已离职"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_primary=True),
                name="contact_one_primary_per_customer",
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def scope_shared_q(cls, user):
        return Q(customer__in=shared_with(user))


class SearchTerm(models.Model):
    """A normalised search key pointing at a customer, kept by the services that write.

    `term` is namespaced ("n:" name fragment, "p:" pinyin, "i:" initials, "t:" phone,
    "4:" phone last four, "e:" email) and searched by prefix range, which is an index range
    scan on both databases. `owner` copies the customer's owner: whatever writes
    Customer.owner calls search.reindex() or search.owner_changed().
    """

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # search_term_unique leads with the customer
    )
    term = models.CharField(max_length=120)
    # A copy of the customer's owner (None: the pool), kept by search.reindex(): a narrow data
    # scope finds its own matches in search_term_owner_idx instead of intersecting everyone's.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("搜索键")
        verbose_name_plural = _("搜索键")
        indexes = [
            models.Index(fields=["term", "customer"], name="search_term_idx"),
            models.Index(fields=["owner", "term", "customer"], name="search_term_owner_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["customer", "term"], name="search_term_unique"),
        ]

    def __str__(self):
        return self.term


class SavedView(models.Model):
    """A customer-list filter someone saved under a name (我的视图); private to its user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="saved_customer_views",
    )
    name = models.CharField(_("名称"), max_length=50)
    query = models.CharField(
        _("筛选条件"), max_length=1000, blank=True, help_text=_("列表页的查询参数")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("保存的视图")
        verbose_name_plural = _("保存的视图")
        ordering = ["user", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name"),
        ]

    def __str__(self):
        return self.name
