"""Uploaded photos: only real JPEG/PNG/WebP images of at most 5 MB are kept; residents' photos
are decoded and encoded again, which drops EXIF (GPS position, camera, time) and anything
hidden after the image data."""

import io

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from lifecircle.ops.errors import Invalid

PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
PIL_FORMATS = {".jpg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


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


def reencoded_photo(upload, field: str = "photo") -> ContentFile:
    """The upload checked (type, size, content) and encoded again without any metadata.

    Returns a file named by its suffix (".jpg", ".png", ".webp"); the caller prefixes the name.
    """
    suffix = checked_image_suffix(upload, field)
    try:
        with Image.open(upload) as image:
            if image.format != PIL_FORMATS[suffix]:
                raise Invalid(
                    f"{field}: 文件内容不是所声明的图片 content is not the declared image type",
                    field=field,
                )
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise Invalid(f"{field}: 像素过多 too many pixels", field=field)
            upright = ImageOps.exif_transpose(image)  # keep the orientation EXIF described
            if suffix == ".jpg" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            options = {"quality": 90} if suffix in (".jpg", ".webp") else {}
            upright.save(out, format=PIL_FORMATS[suffix], **options)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        raise Invalid(f"{field}: 图片无法读取 the image cannot be read", field=field) from None
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name=suffix)
