import datetime as dt

from kehu.api.schemas import Out


class AttachmentOut(Out):
    id: int
    owner_type: str
    owner_id: int
    name: str
    size: int
    content_type: str
    sha256: str
    uploaded_by: str | None
    created_at: dt.datetime
    download_url: str


class AttachmentPage(Out):
    items: list[AttachmentOut]
    next: str | None
    count: int
    count_capped: bool
