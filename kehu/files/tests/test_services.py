"""attachment_store: the type is decided by the content, never the name; the size is limited;
the file is kept privately under a random name; every change is audited."""

import hashlib
import os

import pytest
from django.core.files.storage import storages

from kehu.audit.models import AuditEvent
from kehu.core.errors import ValidationFailed
from kehu.files import services
from kehu.files.models import Attachment
from kehu.files.tests.conftest import (
    CSV_GBK,
    CSV_UTF8,
    DOCX,
    EXE,
    GIF,
    JPEG,
    PDF,
    PNG,
    PPTX,
    TEXT,
    WEBP,
    XLSM,
    XLSX,
    ZIP,
    upload,
)

pytestmark = pytest.mark.django_db

NOT_ALLOWED = (
    "文件内容不是允许的类型（允许：PDF、图片（PNG、JPEG、GIF、WebP）、Word、Excel、PowerPoint"
    "（docx/xlsx/pptx）、文本或 CSV）"
)


def store(customer, name, content, actor=None):
    return services.attachment_store(
        owner=customer, upload=upload(name, content), actor=actor or customer.owner
    )


def refusal(customer, name, content) -> list[dict]:
    with pytest.raises(ValidationFailed) as refused:
        store(customer, name, content)
    assert not Attachment.objects.exists()
    return refused.value.errors


@pytest.mark.parametrize(
    ("name", "content", "content_type", "kept_as"),
    [
        ("合同.pdf", PDF, "application/pdf", "合同.pdf"),
        ("截图.png", PNG, "image/png", "截图.png"),
        ("名片.JPG", JPEG, "image/jpeg", "名片.JPG"),
        ("名片", JPEG, "image/jpeg", "名片.jpg"),
        ("动图.gif", GIF, "image/gif", "动图.gif"),
        ("photo.webp", WEBP, "image/webp", "photo.webp"),
        (
            "方案.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "方案.docx",
        ),
        (
            "报价.xlsx",
            XLSX,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "报价.xlsx",
        ),
        (
            "介绍.pptx",
            PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "介绍.pptx",
        ),
        ("名单.csv", CSV_UTF8, "text/csv", "名单.csv"),
        ("名单（Excel 导出）.csv", CSV_GBK, "text/csv", "名单（Excel 导出）.csv"),
        ("纪要.txt", TEXT, "text/plain", "纪要.txt"),
        # The content decides: a PDF named like a program is kept as a PDF.
        ("report.exe", PDF, "application/pdf", "report.exe.pdf"),
        ("..\\..\\etc/passwd", TEXT, "text/plain", "passwd.txt"),
        ("a\u202egnp.exe", PNG, "image/png", "agnp.exe.png"),
    ],
)
def test_accepted_types_are_found_in_the_content(customer, name, content, content_type, kept_as):
    attachment = store(customer, name, content)

    assert (attachment.content_type, attachment.name) == (content_type, kept_as)
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    with storages["attachments"].open(attachment.stored_name) as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("合同.pdf", EXE, NOT_ALLOWED),  # a renamed .exe
        ("截图.png", b"\x00\x01\x02binary\x00", NOT_ALLOWED),
        ("page.svg", b"<svg onload=alert(1)>\x00", NOT_ALLOWED),
        ("宏.xlsx", XLSM, "含宏的 Office 文档不允许上传"),
        ("资料.zip", ZIP, "压缩文件不允许上传（只接受 Word、Excel、PowerPoint 文档）"),
        ("坏.docx", b"PK\x03\x04broken", "压缩文件已损坏或不是 Office 文档"),
        ("空.txt", b"", "文件是空的"),
    ],
)
def test_other_content_is_refused_naming_the_file_field(customer, name, content, message):
    assert refusal(customer, name, content) == [{"field": "file", "message": message}]


def test_a_file_over_the_limit_is_refused(customer, settings):
    settings.KEHU_UPLOAD_MAX_MB = 1
    settings.KEHU_UPLOAD_MAX_BYTES = 1024 * 1024
    assert refusal(customer, "big.txt", b"a" * (1024 * 1024 + 1)) == [
        {"field": "file", "message": "文件超过 1 MB 上限"}
    ]
    assert store(customer, "fits.txt", b"a" * 1024 * 1024).size == 1024 * 1024


def test_no_file_is_a_field_message(customer):
    with pytest.raises(ValidationFailed) as refused:
        services.attachment_store(owner=customer, upload=None, actor=customer.owner)
    assert refused.value.errors == [{"field": "file", "message": "请选择文件"}]


def test_files_are_stored_under_random_names_readable_by_the_server_only(customer):
    first, second = store(customer, "a.txt", TEXT), store(customer, "a.txt", TEXT)

    assert first.stored_name != second.stored_name
    assert "a.txt" not in first.stored_name
    path = storages["attachments"].path(first.stored_name)
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_store_and_delete_are_audited_and_delete_removes_the_file_after_commit(
    customer, django_capture_on_commit_callbacks
):
    attachment = store(customer, "纪要.txt", TEXT)
    stored_name = attachment.stored_name

    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment=attachment, actor=customer.owner)

    assert not Attachment.objects.exists()
    assert not storages["attachments"].exists(stored_name)
    actions = list(
        AuditEvent.objects.filter(action__startswith="attachment.").values_list("action", "data")
    )
    assert [a for a, _ in actions] == ["attachment.delete", "attachment.store"]
    assert actions[1][1]["name"] == "纪要.txt"
