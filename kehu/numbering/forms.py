from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import ServiceErrorsMixin


class PatternForm(ServiceErrorsMixin, forms.Form):
    pattern = forms.CharField(
        label=_("格式"),
        max_length=60,
        help_text=_("{date:%Y%m%d} 为日期（%Y 年 %m 月 %d 日），{seq:03d} 为流水号（3 位）"),
    )
