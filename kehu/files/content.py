"""What a file is, decided by its content (magic bytes), never by its name.

An explicit table of the few types Kehu accepts rather than a detection library: the question
is not "what is this file?" among thousands of types (what libmagic, puremagic or filetype
answer) but "is it one of these nine?", and the two hard cases need more than a signature
anyway — an Office document is a zip whose parts must be Word's, Excel's or PowerPoint's (a
zip of anything else, or one carrying macros, is refused), and text has no signature at all
(it is text when every byte of it decodes as UTF-8 or GB18030 without control characters).
A library would add a dependency (libmagic is a system package) and still leave both to us.
Legacy binary Office files (.doc/.xls) share their container with installers (.msi), so they
are not accepted; SVG and HTML are text that a browser would run, and arrive here only as
plain text, served as a download.
"""

import codecs
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]  # the first is added to a name that has none of them
    label: str


PDF = FileKind("application/pdf", (".pdf",), "PDF")
PNG = FileKind("image/png", (".png",), "PNG")
JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"), "JPEG")
GIF = FileKind("image/gif", (".gif",), "GIF")
WEBP = FileKind("image/webp", (".webp",), "WebP")
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "Word"
)
XLSX = FileKind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "Excel"
)
PPTX = FileKind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
    "PowerPoint",
)
TEXT = FileKind("text/plain", (".txt", ".md", ".log"), _("文本"))
CSV = FileKind("text/csv", (".csv",), "CSV")

ALLOWED_LABEL = _(
    "PDF、图片（PNG、JPEG、GIF、WebP）、Word、Excel、PowerPoint（docx/xlsx/pptx）、文本或 CSV"
)

SIGNATURES = [
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
]
ZIP = b"PK\x03\x04"
# The part that makes an Office Open XML zip a document of each kind.
OFFICE_PARTS = [
    ("word/document.xml", DOCX),
    ("xl/workbook.xml", XLSX),
    ("ppt/presentation.xml", PPTX),
]
HEAD_SIZE = 16
# Bytes that never occur in text (tab, line feed, form feed and carriage return do). In UTF-8
# and GB18030 alike they never occur inside a multi-byte character either.
CONTROL_BYTE = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class Refused(Exception):
    """The content is not an accepted type; `reason` says why, for the person uploading."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def detect(upload, name: str) -> FileKind:
    """The kind of `upload` (a Django UploadedFile) from its content; Refused if none. `name`
    only tells CSV from other text, both being text."""
    upload.seek(0)
    head = upload.read(HEAD_SIZE)
    upload.seek(0)
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(ZIP):
        return _office(upload)
    if _is_text(upload):
        return CSV if name.lower().endswith(".csv") else TEXT
    raise Refused(_("文件内容不是允许的类型（允许：%(allowed)s）") % {"allowed": ALLOWED_LABEL})


def _office(upload) -> FileKind:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused(_("压缩文件已损坏或不是 Office 文档")) from None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" in names:
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise Refused(_("含宏的 Office 文档不允许上传"))
        for part, kind in OFFICE_PARTS:
            if part in names:
                return kind
    raise Refused(_("压缩文件不允许上传（只接受 Word、Excel、PowerPoint 文档）"))


def _is_text(upload) -> bool:
    """Every byte decodes as UTF-8 (or else as GB18030, as Chinese Excel saves CSV) and none
    is a control character."""
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for chunk in upload.chunks():
                if CONTROL_BYTE.search(chunk):
                    return False
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return True
        except UnicodeDecodeError:
            continue
        finally:
            upload.seek(0)
    return False
