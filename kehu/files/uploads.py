"""Upload parsing that stops at the size limit instead of spooling whatever arrives."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class SizeLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: a file growing past KEHU_UPLOAD_MAX_BYTES is skipped (the
    rest of it is read and dropped, never written to disk) and its field is named in
    `request.uploads_too_large`, so the view can say the file is too large rather than that
    none was sent."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.KEHU_UPLOAD_MAX_BYTES:
            too_large = getattr(self.request, "uploads_too_large", set())
            too_large.add(self.field_name)
            self.request.uploads_too_large = too_large
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers build the file
