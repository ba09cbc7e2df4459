"""Attachments are exactly as visible as the record they belong to: the owner and their manager
download and manage them, a collaborator downloads them, a teammate or anyone outside the
record's scope gets 404 on every route — page and API alike. Downloads are never shown inline,
sniffed or cached; bad uploads get a message naming the file field and save nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from kehu.core.testing import api_client, session_client
from kehu.customers.tests import factories as f
from kehu.files import services
from kehu.files.models import Attachment
from kehu.files.tests.conftest import EXE, PDF, TEXT, upload
from kehu.files.views import attachments_context

pytestmark = pytest.mark.django_db

API = "/api/v1/attachments"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def minutes(customer):
    return services.attachment_store(
        owner=customer, upload=upload("会议纪要 2024-05-15.pdf", PDF), actor=customer.owner
    )


def page_routes(attachment) -> dict[str, tuple[str, str]]:
    return {
        "download": ("get", reverse("files:download", args=[attachment.pk])),
        "delete": ("post", reverse("files:delete", args=[attachment.pk])),
    }


def api_routes(attachment) -> dict[str, tuple[str, str]]:
    return {
        "detail": ("get", f"{API}/{attachment.pk}"),
        "content": ("get", f"{API}/{attachment.pk}/content"),
        "delete": ("delete", f"{API}/{attachment.pk}"),
    }


def test_the_owner_downloads_a_private_file(org, minutes):
    response = session_client(org.rep_a).get(reverse("files:download", args=[minutes.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81%202024-05-15.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_the_manager_and_a_collaborator_see_it(org, customer, minutes):
    f.services.customer_update(
        customer=customer, data={}, actor=org.rep_a, version=None, collaborators=[org.rep_b]
    )
    for user in (org.manager, org.rep_b):
        assert (
            session_client(user).get(reverse("files:download", args=[minutes.pk])).status_code
            == 200
        )
        assert (
            api_client(user).get(f"{API}/{minutes.pk}").json()["name"] == "会议纪要 2024-05-15.pdf"
        )


@pytest.mark.parametrize("who", ["rep_b", "rep_c"])
def test_a_teammate_or_outsider_gets_404_on_every_route(org, minutes, who):
    user = getattr(org, who)
    page, api = session_client(user), api_client(user)

    for name, (method, url) in page_routes(minutes).items():
        assert getattr(page, method)(url).status_code == 404, name
    for name, (method, url) in api_routes(minutes).items():
        assert getattr(api, method)(url).status_code == 404, name
    listing = api.get(API, {"owner_type": "customers.customer", "owner_id": minutes.owner_id})
    assert listing.status_code == 404
    uploaded = api.post(
        API,
        {
            "owner_type": "customers.customer",
            "owner_id": minutes.owner_id,
            "file": upload("a.txt", TEXT),
        },
    )
    assert uploaded.status_code == 404
    form_upload = page.post(
        reverse("files:upload"),
        {
            "owner_type": "customers.customer",
            "owner_id": minutes.owner_id,
            "file": upload("a.txt", TEXT),
        },
    )
    assert form_upload.status_code == 404
    assert Attachment.objects.get() == minutes


def test_a_missing_attachment_is_the_same_404(org):
    assert session_client(org.rep_a).get(reverse("files:download", args=[99999])).status_code == 404
    assert api_client(org.rep_a).get(f"{API}/99999/content").status_code == 404


def test_anonymous_is_sent_to_sign_in_and_the_api_says_401(minutes):
    response = Client().get(reverse("files:download", args=[minutes.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().get(f"{API}/{minutes.pk}/content").status_code == 401


def test_someone_who_sees_but_may_not_change_the_record_gets_403_on_changes(org, customer, minutes):
    """A collaborator sees a customer and its files but changes neither (scope "change")."""
    f.services.customer_update(
        customer=customer, data={}, actor=org.rep_a, version=None, collaborators=[org.rep_b]
    )
    api, page = api_client(org.rep_b), session_client(org.rep_b)
    data = {"owner_type": "customers.customer", "owner_id": customer.pk}

    assert api.delete(f"{API}/{minutes.pk}").status_code == 403
    assert api.post(API, {**data, "file": upload("a.txt", TEXT)}).status_code == 403
    assert page.post(reverse("files:delete", args=[minutes.pk])).status_code == 403
    assert (
        page.post(reverse("files:upload"), {**data, "file": upload("a.txt", TEXT)}).status_code
        == 403
    )
    assert Attachment.objects.get() == minutes
    # …and the block on the record's page offers them neither upload nor delete.
    assert attachments_context(user=org.rep_b, owner=customer)["can_change"] is False
    assert attachments_context(user=org.rep_a, owner=customer)["can_change"] is True


# --- upload through the API ---------------------------------------------------------------------


def test_upload_list_and_delete_through_the_api(org, customer):
    client = api_client(org.rep_a)

    created = client.post(
        API,
        {
            "owner_type": "customers.customer",
            "owner_id": customer.pk,
            "file": upload("报价.pdf", PDF),
        },
    )
    listing = client.get(API, {"owner_type": "customers.customer", "owner_id": customer.pk}).json()
    content = client.get(created.json()["download_url"].replace("/files/", f"{API}/") + "content")

    assert created.status_code == 201
    assert created.json()["content_type"] == "application/pdf"
    assert (listing["count"], [i["name"] for i in listing["items"]]) == (1, ["报价.pdf"])
    assert content.status_code == 200
    assert client.delete(f"{API}/{created.json()['id']}").status_code == 204
    assert not Attachment.objects.exists()


def test_a_renamed_program_is_refused_naming_the_file_field(org, customer):
    response = api_client(org.rep_a).post(
        API,
        {
            "owner_type": "customers.customer",
            "owner_id": customer.pk,
            "file": upload("合同.pdf", EXE),
        },
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["file"]
    assert not Attachment.objects.exists()


def test_english_messages_with_accept_language(org, customer):
    client = api_client(org.rep_a)
    response = client.post(
        API,
        {"owner_type": "customers.customer", "owner_id": customer.pk, "file": upload("a.pdf", EXE)},
        headers={"Accept-Language": "en"},
    )
    assert response.json()["errors"][0]["message"].startswith("The file's content is not")


def test_an_upload_over_the_limit_is_never_spooled_and_says_so(org, customer, settings):
    settings.KEHU_UPLOAD_MAX_MB = 1
    settings.KEHU_UPLOAD_MAX_BYTES = 1024 * 1024
    big = upload("big.txt", b"a" * (1024 * 1024 + 70_000))

    response = api_client(org.rep_a).post(
        API, {"owner_type": "customers.customer", "owner_id": customer.pk, "file": big}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": "文件超过 1 MB 上限"}]
    assert not Attachment.objects.exists()


def test_missing_file_and_unknown_owner_type_are_field_errors(org, customer):
    client = api_client(org.rep_a)
    missing = client.post(API, {"owner_type": "customers.customer", "owner_id": customer.pk})
    unknown = client.post(
        API,
        {"owner_type": "accounts.user", "owner_id": org.rep_a.pk, "file": upload("a.txt", TEXT)},
    )

    assert missing.json()["errors"] == [{"field": "file", "message": "请选择文件"}]
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "owner_type")


# --- the attachment block of a record's page ------------------------------------------------------


def test_the_block_uploads_and_deletes_with_htmx(org, customer):
    client = session_client(org.rep_a)
    data = {"owner_type": "customers.customer", "owner_id": customer.pk}

    added = client.post(
        reverse("files:upload"), {**data, "file": upload("纪要.txt", TEXT)}, headers=HTMX
    )
    refused = client.post(
        reverse("files:upload"), {**data, "file": upload("x.pdf", EXE)}, headers=HTMX
    )
    attachment = Attachment.objects.get()
    removed = client.post(reverse("files:delete", args=[attachment.pk]), headers=HTMX)

    assert added.status_code == 200 and "纪要.txt" in added.content.decode()
    assert refused.status_code == 422
    assert '<p class="field-error" id="err-file">文件内容不是允许的类型' in refused.content.decode()
    assert removed.status_code == 200 and "没有附件" in removed.content.decode()


def test_without_htmx_the_block_goes_back_to_the_page_with_a_message(org, customer):
    client = session_client(org.rep_a)
    back = reverse("customers:detail", args=[customer.pk])

    response = client.post(
        reverse("files:upload"),
        {
            "owner_type": "customers.customer",
            "owner_id": customer.pk,
            "next": back,
            "file": upload("x.pdf", EXE),
        },
    )

    assert (response.status_code, response["Location"]) == (302, back)
    assert not Attachment.objects.exists()
