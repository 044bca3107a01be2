"""Uploaded photos: only real JPEG/PNG/WebP images of at most 5 MB are kept."""

from lifecircle.ops.errors import Invalid

PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024


def _looks_like(suffix: str, head: bytes) -> bool:
    if suffix == ".jpg":
        return head[:3] == b"\xff\xd8\xff"
    if suffix == ".png":
        return head[:8] == b"\x89PNG\r\n\x1a\n"
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def checked_image_suffix(upload, field: str = "photo") -> str:
    """The file suffix for an upload whose declared type, size and first bytes agree."""
    suffix = PHOTO_TYPES.get(getattr(upload, "content_type", ""))
    if suffix is None:
        raise Invalid(f"{field}: 只接受 only {sorted(PHOTO_TYPES)}", field=field)
    if upload.size > PHOTO_MAX_BYTES:
        raise Invalid(f"{field}: 不能超过 5 MB at most 5 MB", field=field)
    head = upload.read(12)
    upload.seek(0)
    if not _looks_like(suffix, head):
        raise Invalid(
            f"{field}: 文件内容不是所声明的图片 content is not the declared image type", field=field
        )
    return suffix
