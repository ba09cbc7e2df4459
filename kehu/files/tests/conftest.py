"""Set-up of the attachment tests: customers own attachments here (registered for the tests
only; in the product each app registers its own models), in the sales organisation of the
customer tests, and sample files of every accepted type and of some refused ones."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kehu.customers.models import Customer
from kehu.customers.tests import factories as f
from kehu.files import registry


@pytest.fixture(autouse=True)
def customers_own_attachments():
    registry.register_owner(Customer)
    yield
    registry.OWNERS.pop("customers.customer", None)


@pytest.fixture
def org():
    """总部 › 销售一部 (manager 王经理) › 一部一组 (rep_a 张伟, rep_b 李娜); 销售二部 (rep_c)."""
    return f.build_org()


@pytest.fixture
def customer(org):
    """rep_a's customer: rep_a owns it, the manager sees it, rep_b and rep_c do not."""
    return f.enterprise(org.rep_a)


def office(*parts: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in parts:
            archive.writestr(part, "<xml/>")
    return buffer.getvalue()


PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
DOCX = office("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = office("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml")
PPTX = office("[Content_Types].xml", "_rels/.rels", "ppt/presentation.xml")
XLSM = office("[Content_Types].xml", "xl/workbook.xml", "xl/vbaProject.bin")
ZIP = office("readme.txt", "setup.exe")
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 40 + b"PE\x00\x00"
)
CSV_UTF8 = "客户名称,电话\n北京字节跳动,010-12345678\n".encode()
CSV_GBK = "客户名称,电话\n上海某某贸易,021-12345678\n".encode("gb18030")
TEXT = "会议纪要\n\t1. 需求确认\r\n".encode()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    """A file as the browser sends it; the content type it claims is never believed."""
    return SimpleUploadedFile(name, content, content_type=content_type)
