"""设置 › 来源渠道: an administrator adds, renames, reorders, deactivates and deletes source
channels; the forms and the list's filter offer what the page says, in the user's language."""

import pytest
from django.urls import reverse

from kehu.accounts.choices import RoleCode
from kehu.audit.models import AuditEvent
from kehu.core.testing import make_admin, make_department, make_user, session_client
from kehu.customers.models import Customer, SourceChannel
from kehu.customers.tests import factories as f

pytestmark = pytest.mark.django_db

CHANNELS = "/settings/channels/"


@pytest.fixture
def admin():
    return session_client(make_admin())


@pytest.fixture
def rep():
    return make_user("zhang.wei", make_department("上海销售部"), RoleCode.SALES_REP)


def offered(client) -> list[str]:
    """The channels the new-customer form offers."""
    form = client.get(reverse("customers:create")).context["form"]
    return [label for value, label in form.fields["source"].choices if value]


def test_the_page_lists_the_default_channels_with_their_english_names(admin):
    html = admin.get(CHANNELS).content.decode()

    assert "官网表单" in html and "Website form" in html


def test_an_added_channel_is_offered_at_the_end_of_the_form(admin):
    response = admin.post(CHANNELS, {"name": "抖音直播", "name_en": "Douyin live"})

    assert response.status_code == 302
    assert offered(admin)[-1] == "抖音直播"
    channel = SourceChannel.objects.get(name="抖音直播")
    assert AuditEvent.objects.filter(action="source_channel.create", target_id=str(channel.pk))


def test_a_taken_name_is_a_field_error(admin):
    before = SourceChannel.objects.count()

    response = admin.post(CHANNELS, {"name": "展会"})

    assert response.status_code == 422
    assert response.context["form"].errors["name"]
    assert SourceChannel.objects.count() == before


def test_moving_a_channel_up_changes_the_forms_order(admin):
    first, second = list(SourceChannel.objects.all())[:2]

    admin.post(f"{CHANNELS}{second.pk}/move/", {"direction": "up"})

    assert offered(admin)[:2] == [second.name, first.name]


def test_a_deactivated_channel_is_no_longer_offered_but_customers_keep_it(admin, rep):
    channel = SourceChannel.objects.get(name="展会")
    customer = f.enterprise(rep, source_id=channel.pk)

    response = admin.post(f"{CHANNELS}{channel.pk}/", {"name": "展会", "name_en": "Trade show"})

    assert response.status_code == 302
    assert "展会" not in offered(admin)
    assert Customer.objects.get(pk=customer.pk).source == channel
    assert not SourceChannel.objects.get(pk=channel.pk).is_active


def test_a_channel_in_use_is_not_deleted(admin, rep):
    channel = SourceChannel.objects.get(name="展会")
    f.enterprise(rep, source_id=channel.pk)

    response = admin.post(f"{CHANNELS}{channel.pk}/delete/", follow=True)

    assert SourceChannel.objects.filter(pk=channel.pk).exists()
    assert "不能删除" in response.content.decode()


def test_an_unused_channel_is_deleted(admin):
    channel = SourceChannel.objects.create(name="临时渠道", sort_order=99)

    response = admin.post(f"{CHANNELS}{channel.pk}/delete/")

    assert response.status_code == 302
    assert not SourceChannel.objects.filter(pk=channel.pk).exists()
    assert AuditEvent.objects.filter(action="source_channel.delete", target_id=str(channel.pk))


def test_the_english_ui_names_channels_in_english(admin):
    admin.post(reverse("set_language"), {"language": "en", "next": "/"})

    choices = offered(admin)

    assert "Website form" in choices and "官网表单" not in choices


def test_a_rep_may_not_open_or_change_channels(rep):
    client = session_client(rep)
    channel = SourceChannel.objects.first()

    assert client.get(CHANNELS).status_code == 403
    assert client.post(CHANNELS, {"name": "x"}).status_code == 403
    assert client.post(f"{CHANNELS}{channel.pk}/delete/").status_code == 403
    assert SourceChannel.objects.filter(pk=channel.pk).exists()


def test_an_unknown_channel_is_404(admin):
    assert admin.get(f"{CHANNELS}999999/").status_code == 404
