"""How notifications and channels are shown."""

import urllib.parse

from django.utils.translation import gettext as _

from kehu.notify.choices import Channel, DeliveryState


def masked_url(url: str) -> str:
    """A saved webhook url without its token: the address and the token's last four."""
    parts = urllib.parse.urlsplit(url)
    shown = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return f"{shown}?…{parts.query[-4:]}" if parts.query else shown


def delivery_line(delivery: dict) -> str:
    """ "邮件：已发送", "钉钉：发送失败（连接超时）"."""
    channel = Channel(delivery["channel"]).label
    state = DeliveryState(delivery["state"])
    if state == DeliveryState.FAILED:
        return _("%(channel)s：发送失败（%(reason)s）") % {
            "channel": channel,
            "reason": delivery["last_error"],
        }
    if state == DeliveryState.PENDING and delivery["last_error"]:
        return _("%(channel)s：重试中（%(reason)s）") % {
            "channel": channel,
            "reason": delivery["last_error"],
        }
    return f"{channel}：{state.label}"
