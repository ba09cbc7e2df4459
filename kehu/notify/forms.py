from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.notify.choices import RobotKind


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("邮件"), required=False)
    robot = forms.BooleanField(label=_("我的群机器人"), required=False)
    team_robot = forms.BooleanField(label=_("部门群机器人（@我）"), required=False)


class RobotForm(forms.Form):
    """A robot's settings; an empty url or secret keeps the one saved (neither is shown)."""

    kind = forms.ChoiceField(label=_("机器人类型"), choices=RobotKind.choices)
    url = forms.CharField(
        label=_("Webhook 地址"),
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"autocomplete": "off", "inputmode": "url"}),
    )
    secret = forms.CharField(
        label=_("加签密钥（钉钉，SEC 开头）"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
