"""Uploads are limited while they stream in: past the photo limit nothing more is kept, so a
100 MB upload never fills memory or disk before it is refused (by its reported size)."""

from django.core.files.uploadhandler import TemporaryFileUploadHandler

from lifecircle.ops.files import PHOTO_MAX_BYTES


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Keeps at most PHOTO_MAX_BYTES (+1) of each file; `size` still reports the full length."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = PHOTO_MAX_BYTES + 1 - self.received
        self.received += len(raw_data)
        if room > 0:
            self.file.write(raw_data[:room])

    def file_complete(self, file_size: int):
        upload = super().file_complete(file_size)
        upload.size = self.received
        return upload
