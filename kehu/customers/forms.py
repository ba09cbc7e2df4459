"""Forms of the customer pages. They parse what the browser sends into typed values and nothing
more: normalisation and every rule live in customers.services (so the API and imports get the
same ones); the services' field errors come back through `add_service_errors`."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.masking import mask_email, mask_phone
from kehu.customers import services
from kehu.customers.choices import (
    NEED_TAG_SUGGESTIONS,
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
from kehu.customers.filters import DEFAULT_SORT, SORTS, CustomerFilter
from kehu.customers.models import Contact, Customer
from kehu.refdata import selectors as refdata

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})
# Steps and tags may be typed one per line or separated by → , ， 、 ;
STEP_SPLIT = re.compile(r"\s*(?:\n|→|->|＞|>)\s*")
TAG_SPLIT = re.compile(r"\s*[,，、;；\n]\s*")


def _blank(choices) -> list:
    return [("", "—"), *choices]


def _label(model, name: str) -> str:
    return model._meta.get_field(name).verbose_name


# --- list filter ------------------------------------------------------------------------------

SORT_LABELS = {
    "-updated_at": _("最近更新"),
    "-created_at": _("最近创建"),
    "name": _("名称"),
    "number": _("编号（升序）"),
    "-number": _("编号（降序）"),
}


class CustomerFilterForm(forms.Form):
    """The list's query string → CustomerFilter. Bad values are reported and left out, so a
    mistyped link still shows a list (and says what was ignored)."""

    q = forms.CharField(required=False, max_length=100)
    status = forms.MultipleChoiceField(required=False, choices=CustomerStatus.choices)
    kind = forms.ChoiceField(required=False, choices=_blank(CustomerKind.choices))
    owner = forms.IntegerField(required=False, min_value=1)
    department = forms.IntegerField(required=False, min_value=1)
    industry = forms.CharField(required=False, max_length=4)
    region = forms.RegexField(required=False, regex=r"^\d{6}$")
    source = forms.IntegerField(required=False, min_value=1)
    urgency = forms.ChoiceField(required=False, choices=_blank(Urgency.choices))
    pool = forms.BooleanField(required=False)
    pending = forms.BooleanField(required=False)
    sort = forms.ChoiceField(required=False, choices=[(k, SORT_LABELS[k]) for k in SORTS])

    LABELS = {
        "q": _("搜索"),
        "status": _("客户状态"),
        "kind": _("客户类型"),
        "owner": _("负责人"),
        "department": _("部门"),
        "industry": _("行业"),
        "region": _("地区"),
        "source": _("来源渠道"),
        "urgency": _("紧急程度"),
        "pool": _("公海"),
        "pending": _("待确认"),
        "sort": _("排序"),
    }

    def to_filter(self) -> tuple[CustomerFilter, list[str]]:
        """The filter made of the valid parameters, and a message per ignored one."""
        self.is_valid()
        values = {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}
        values.setdefault("sort", DEFAULT_SORT)
        messages = [
            _("筛选条件“%(label)s”无效，已忽略：%(error)s")
            % {"label": self.LABELS.get(name, name), "error": errors[0]}
            for name, errors in self.errors.items()
        ]
        return CustomerFilter(**values), messages


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("视图名称"), required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput)


# --- customer ---------------------------------------------------------------------------------

# The sections of the form and the fields in each; "kind" says which customers see a section.
SECTIONS = [
    ("basic", _("基本信息"), None, ["name", "short_name", "status", "source", "first_contact_date", "region", "address"]),
    ("enterprise", _("企业信息"), CustomerKind.ENTERPRISE, services.ENTERPRISE_FIELDS),
    ("individual", _("个人信息"), CustomerKind.INDIVIDUAL, services.INDIVIDUAL_FIELDS),
    ("needs", _("需求"), None, ["core_need", "need_tags", "urgency", "budget_min", "budget_max", "decision_chain", "current_solution", "pain_points", "expected_outcome", "preferred_contact"]),
    ("notes", _("备注"), None, ["special_requirements", "risk_notes", "remarks"]),
]  # fmt: skip
WIDE_FIELDS = {
    "name",
    "address",
    "main_business",
    "purchase_history",
    "core_need",
    "need_tags",
    "decision_chain",
    "current_solution",
    "pain_points",
    "expected_outcome",
    "special_requirements",
    "risk_notes",
    "remarks",
}
# The inline first contact of a new enterprise: form field → contact field.
CONTACT_INLINE = {
    "contact_name": "name",
    "contact_mobile": "mobile",
    "contact_position": "position",
}
MODEL_FIELDS = [
    "kind",
    *services.COMMON_FIELDS,
    *services.ENTERPRISE_FIELDS,
    *services.INDIVIDUAL_FIELDS,
]
# Form fields holding the id or code of a related row; the services take them as `<name>_id`.
RELATED_FIELDS = ("source", "region", "industry")
# A change to one of these can change the other's message (low > high is reported on high).
LINKED_FIELDS = {"budget_min": ["budget_max"], "budget_max": ["budget_min"]}


class CustomerForm(forms.Form):
    kind = forms.ChoiceField(
        label=_label(Customer, "kind"), choices=CustomerKind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_label(Customer, "name"), required=False)
    short_name = forms.CharField(label=_label(Customer, "short_name"), required=False)
    status = forms.ChoiceField(label=_label(Customer, "status"), choices=CustomerStatus.choices)
    source = forms.TypedChoiceField(
        label=_label(Customer, "source"), required=False, coerce=int, empty_value=None
    )
    first_contact_date = forms.DateField(
        label=_label(Customer, "first_contact_date"), required=False, widget=DATE
    )
    # Filled from the three cascading selects (region_province/city/district) in clean().
    region = forms.CharField(label=_label(Customer, "region"), required=False)
    address = forms.CharField(label=_label(Customer, "address"), required=False)

    uscc = forms.CharField(label=_label(Customer, "uscc"), required=False)
    industry = forms.ChoiceField(label=_label(Customer, "industry"), required=False)
    size_band = forms.ChoiceField(
        label=_label(Customer, "size_band"), required=False, choices=_blank(SizeBand.choices)
    )
    revenue_band = forms.ChoiceField(
        label=_label(Customer, "revenue_band"), required=False, choices=_blank(RevenueBand.choices)
    )
    founded = forms.CharField(
        label=_label(Customer, "founded"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM", "inputmode": "numeric"}),
    )
    ownership = forms.ChoiceField(
        label=_label(Customer, "ownership"), required=False, choices=_blank(Ownership.choices)
    )
    main_business = forms.CharField(
        label=_label(Customer, "main_business"), required=False, widget=TEXTAREA
    )
    main_customer_groups = forms.CharField(
        label=_label(Customer, "main_customer_groups"), required=False
    )
    competitors = forms.CharField(label=_label(Customer, "competitors"), required=False)
    switchboard = forms.CharField(
        label=_label(Customer, "switchboard"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "021-12345678", "inputmode": "tel"}),
    )
    website = forms.CharField(
        label=_label(Customer, "website"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )

    gender = forms.ChoiceField(
        label=_label(Customer, "gender"), required=False, choices=_blank(Gender.choices)
    )
    age_band = forms.ChoiceField(
        label=_label(Customer, "age_band"), required=False, choices=_blank(AgeBand.choices)
    )
    occupation = forms.CharField(label=_label(Customer, "occupation"), required=False)
    birthday = forms.DateField(label=_label(Customer, "birthday"), required=False, widget=DATE)
    mobile = forms.CharField(
        label=_label(Customer, "mobile"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_label(Customer, "email"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "off"}),
    )
    wechat = forms.CharField(label=_label(Customer, "wechat"), required=False)
    interests = forms.CharField(label=_label(Customer, "interests"), required=False)
    buying_habits = forms.CharField(label=_label(Customer, "buying_habits"), required=False)
    purchase_history = forms.CharField(
        label=_label(Customer, "purchase_history"), required=False, widget=TEXTAREA
    )

    core_need = forms.CharField(
        label=_label(Customer, "core_need"), required=False, widget=TEXTAREA
    )
    need_tags = forms.MultipleChoiceField(
        label=_label(Customer, "need_tags"),
        required=False,
        choices=[(t, t) for t in NEED_TAG_SUGGESTIONS],
        widget=forms.CheckboxSelectMultiple,
    )
    need_tags_other = forms.CharField(
        label=_("其他标签"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("多个用逗号或顿号分隔")}),
    )
    urgency = forms.ChoiceField(
        label=_label(Customer, "urgency"), required=False, choices=_blank(Urgency.choices)
    )
    budget_min = forms.DecimalField(
        label=_label(Customer, "budget_min"),
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    budget_max = forms.DecimalField(
        label=_label(Customer, "budget_max"),
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    decision_chain = forms.CharField(
        label=_label(Customer, "decision_chain"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("每行一步，例如：\n技术部评估\n财务部审批")}
        ),
        help_text=_("每行一步，按先后顺序"),
    )
    current_solution = forms.CharField(
        label=_label(Customer, "current_solution"), required=False, widget=TEXTAREA
    )
    pain_points = forms.CharField(
        label=_label(Customer, "pain_points"), required=False, widget=TEXTAREA
    )
    expected_outcome = forms.CharField(
        label=_label(Customer, "expected_outcome"), required=False, widget=TEXTAREA
    )
    preferred_contact = forms.ChoiceField(
        label=_label(Customer, "preferred_contact"),
        required=False,
        choices=_blank(ContactMethod.choices),
    )

    special_requirements = forms.CharField(
        label=_label(Customer, "special_requirements"), required=False, widget=TEXTAREA
    )
    risk_notes = forms.CharField(
        label=_label(Customer, "risk_notes"), required=False, widget=TEXTAREA
    )
    remarks = forms.CharField(label=_label(Customer, "remarks"), required=False, widget=TEXTAREA)

    pending_fields = forms.MultipleChoiceField(
        label=_label(Customer, "pending_fields"),
        required=False,
        choices=[(f, f) for f in sorted(services.PENDABLE_FIELDS)],
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    contact_name = forms.CharField(label=_("主联系人姓名"), required=False)
    contact_mobile = forms.CharField(
        label=_("主联系人手机号"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    contact_position = forms.CharField(label=_("主联系人职位"), required=False)
    allow_similar = forms.BooleanField(label=_("我已核对，不是同一客户，仍然创建"), required=False)
    override_reason = forms.CharField(
        label=_("不是同一客户的原因（会被记录）"), required=False, max_length=200
    )

    def __init__(
        self,
        *args,
        sources: tuple[tuple[int, str], ...] = (),
        customer: Customer | None = None,
        validate_url: str = "",
        **kw,
    ):
        super().__init__(*args, **kw)
        self.customer = customer
        self.fields["source"].choices = _blank(list(sources))
        self.fields["industry"].choices = _blank(refdata.industry_choices())
        if customer is not None:
            for name in ("contact_name", "contact_mobile", "contact_position", "allow_similar"):
                del self.fields[name]
            # A personal value is never sent to the browser in full (that would be a reveal
            # without a log): the field shows the masked value, and left empty keeps it.
            for name in services.PII_FIELDS:
                value = getattr(customer, name)
                if value:
                    self.fields[name].widget.attrs["placeholder"] = str(
                        _("%(masked)s（不修改请留空）") % {"masked": _mask(name, value)}
                    )
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("aria-describedby", f"err-{name}")
        if validate_url:
            for name, field in self.fields.items():
                if name in {
                    "region",
                    "version",
                    "pending_fields",
                    "need_tags",
                    "allow_similar",
                    "override_reason",
                }:
                    continue
                field.widget.attrs.update(
                    {
                        "hx-post": f"{validate_url}?field={name}",
                        "hx-trigger": "change",
                        "hx-target": f"#err-{name}",
                        "hx-swap": "outerHTML",
                        # One check at a time, in order, each sent with the form as it then is:
                        # a check also rewrites its linked fields' slots (LINKED_FIELDS), so a
                        # late answer would otherwise replace a newer message, or the slot a
                        # pending check was to fill, and that message would be lost.
                        "hx-sync": "closest form:queue all",
                    }
                )

    @classmethod
    def initial_for(cls, customer: Customer) -> dict:
        """The edit form's starting values; personal values stay empty (see __init__)."""
        initial = {
            name: getattr(customer, name)
            for name in MODEL_FIELDS
            if name not in services.PII_FIELDS and name not in RELATED_FIELDS
        }
        initial.update(
            source=customer.source_id,
            industry=customer.industry_id or "",
            region=customer.region_id or "",
            need_tags=[t for t in customer.need_tags if t in NEED_TAG_SUGGESTIONS],
            need_tags_other="、".join(
                t for t in customer.need_tags if t not in NEED_TAG_SUGGESTIONS
            ),
            decision_chain="\n".join(customer.decision_chain),
            version=customer.version,
        )
        return initial

    def clean(self):
        cleaned = super().clean()
        names = [f"region_{level}" for level in REGION_LEVELS]
        if any(name in self.data for name in names):
            codes = [self.data.get(name, "") for name in names]
            cleaned["region"] = next((c for c in reversed(codes) if c), "")
        return cleaned

    # --- what the services get ---

    def model_data(self) -> dict:
        """The valid values as service input (model field names; `*_id` for related rows).
        Fields that failed to parse are left out, so live validation can still check the rest."""
        cleaned = self.cleaned_data
        data = {
            name: cleaned[name]
            for name in MODEL_FIELDS
            if name in cleaned and name not in RELATED_FIELDS
        }
        for name in RELATED_FIELDS:
            if name in cleaned:
                data[f"{name}_id"] = cleaned[name] or None
        if "need_tags" in cleaned:
            other = TAG_SPLIT.split(cleaned.get("need_tags_other") or "")
            tags = [*cleaned["need_tags"], *other]
            data["need_tags"] = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
        if "decision_chain" in cleaned:
            steps = STEP_SPLIT.split(cleaned["decision_chain"] or "")
            data["decision_chain"] = [s.strip() for s in steps if s.strip()]
        if self.customer is not None:
            for name in services.PII_FIELDS:
                if not data.get(name):
                    data.pop(name, None)
        return data

    def contacts(self) -> list[dict]:
        """The inline first contact of a new enterprise customer, if one was typed."""
        if self.customer is not None or self.cleaned_data.get("kind") != CustomerKind.ENTERPRISE:
            return []
        contact = {field: self.cleaned_data.get(name, "") for name, field in CONTACT_INLINE.items()}
        if not any(contact.values()):
            return []
        return [{**contact, "is_primary": True}]

    def add_service_errors(self, errors: list[dict]) -> None:
        for error in errors:
            self.add_error(self.field_for_error(error["field"]), error["message"])

    def field_for_error(self, name: str) -> str | None:
        """The form field a service error belongs to (None: the form as a whole)."""
        match = re.fullmatch(r"contacts\.0\.(\w+)", name)
        if match:
            inline = {v: k for k, v in CONTACT_INLINE.items()}
            return inline.get(match.group(1))
        name = name.removesuffix("_id")
        return name if name in self.fields else None

    # --- what the template renders ---

    def sections(self) -> list[dict]:
        pending = set(self["pending_fields"].value() or [])
        out = []
        for key, title, kind, names in SECTIONS:
            rows = [
                {
                    "name": name,
                    "field": self[name],
                    "pendable": name in services.PENDABLE_FIELDS,
                    "pending": name in pending,
                    "wide": name in WIDE_FIELDS,
                }
                for name in names
            ]
            out.append({"key": key, "title": title, "kind": kind, "rows": rows})
        return out

    def region_levels(self) -> list[dict]:
        """The cascading selects: as posted while the form is being filled in, else from the
        stored (initial) region code."""
        names = [f"region_{level}" for level in REGION_LEVELS]
        if self.is_bound and any(name in self.data for name in names):
            return region_picker(**{lv: self.data.get(f"region_{lv}", "") for lv in REGION_LEVELS})
        return region_picker(selected=self["region"].value())

    def current_kind(self) -> str:
        return self["kind"].value() or CustomerKind.ENTERPRISE


def _mask(field: str, value: str) -> str:
    return mask_email(value) if field == "email" else mask_phone(value)


# --- region picker ----------------------------------------------------------------------------

REGION_LEVELS = ("province", "city", "district")


def region_picker(selected: str | None = None, **chosen: str) -> list[dict]:
    """The three cascading selects: for each level its options and the selected code.

    Either `selected` (a region code, for a stored value) or the codes chosen so far
    (province=…, city=…, district=…) decide the selection; a lower choice that is not under
    the higher one is dropped, so changing the province clears the city and district."""
    chain: list[str] = []
    if selected:
        region = refdata.region_get(selected)
        while region is not None:
            chain.insert(0, region.code)
            region = refdata.region_get(region.parent_id)
    else:
        parent = None
        for level in REGION_LEVELS:
            code = chosen.get(level) or ""
            region = refdata.region_get(code)
            if region is None or (region.parent_id or None) != parent:
                break
            chain.append(code)
            parent = code
    levels = []
    parent = None
    for index, level in enumerate(REGION_LEVELS):
        options = refdata.region_children(parent) if index == 0 or parent else ()
        value = chain[index] if index < len(chain) else ""
        levels.append(
            {"level": level, "name": f"region_{level}", "options": options, "value": value}
        )
        parent = value or None
    return levels


# --- contacts and transfer --------------------------------------------------------------------


class ContactForm(forms.Form):
    name = forms.CharField(label=_label(Contact, "name"), required=False)
    position = forms.CharField(label=_label(Contact, "position"), required=False)
    mobile = forms.CharField(
        label=_label(Contact, "mobile"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    landline = forms.CharField(
        label=_label(Contact, "landline"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "021-12345678", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_label(Contact, "email"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "off"}),
    )
    wechat = forms.CharField(label=_label(Contact, "wechat"), required=False)
    birthday = forms.DateField(label=_label(Contact, "birthday"), required=False, widget=DATE)
    decision_role = forms.ChoiceField(
        label=_label(Contact, "decision_role"),
        required=False,
        choices=_blank(DecisionRole.choices),
    )
    is_primary = forms.BooleanField(label=_label(Contact, "is_primary"), required=False)
    has_left = forms.BooleanField(label=_label(Contact, "has_left"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Shown only when a save was refused for a phone or email another customer has, under a
    # warning policy (kehu.dedup): why this is not the same customer.
    override_reason = forms.CharField(
        label=_("不是同一客户的原因（会被记录）"), required=False, max_length=200
    )

    def __init__(self, *args, contact: Contact | None = None, **kw):
        # The add form and any open edit form share the page: their ids must differ.
        kw.setdefault("auto_id", f"id_contact_{contact.pk if contact else 'new'}_%s")
        if contact is not None and "initial" not in kw:
            kw["initial"] = {
                **{f: getattr(contact, f) for f in services.CONTACT_FIELDS},
                **{f: "" for f in services.CONTACT_PII_FIELDS},
                "version": contact.version,
            }
        super().__init__(*args, **kw)
        self.contact = contact
        if contact is not None:
            for name in services.CONTACT_PII_FIELDS:
                value = getattr(contact, name)
                if value:
                    self.fields[name].widget.attrs["placeholder"] = str(
                        _("%(masked)s（不修改请留空）") % {"masked": _mask(name, value)}
                    )

    def model_data(self) -> dict:
        data = {f: self.cleaned_data[f] for f in services.CONTACT_FIELDS}
        if self.contact is not None:
            for name in services.CONTACT_PII_FIELDS:
                if not data.get(name):
                    data.pop(name)
        return data

    def add_service_errors(self, errors: list[dict]) -> None:
        for error in errors:
            field = error["field"] if error["field"] in self.fields else None
            self.add_error(field, error["message"])


class TransferForm(forms.Form):
    POOL = "pool"

    owner = forms.ChoiceField(label=_("新负责人"))
    reason = forms.CharField(
        label=_("转移原因"), required=False, max_length=200, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args, candidates=(), allow_pool: bool = False, **kw):
        super().__init__(*args, **kw)
        choices = [("", _("请选择"))]
        choices += [
            (str(u.pk), f"{u}（{u.department}）" if u.department_id else str(u)) for u in candidates
        ]
        if allow_pool:
            choices.append((self.POOL, _("放入公海（无负责人）")))
        self.fields["owner"].choices = choices
        self.candidates = {str(u.pk): u for u in candidates}

    def new_owner(self):
        value = self.cleaned_data["owner"]
        return None if value == self.POOL else self.candidates[value]
