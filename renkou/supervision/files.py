"""Checks for uploaded photos and evidence files.

The type is decided by the file's first bytes, never by its name or by the
Content-Type the browser sent: both are chosen by the sender. Only pictures
and PDFs are kept, at most ``MAX_BYTES`` each.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile

MAX_BYTES = 10 * 1024 * 1024
MAX_MB = MAX_BYTES // (1024 * 1024)
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
}
ACCEPT = (
    "image/jpeg,image/png,image/webp,image/heic,application/pdf,.jpg,.jpeg,.png,.webp,.heic,.pdf"
)
ACCEPT_IMAGES = "image/*"


class UploadRejected(ValueError):
    pass


@dataclass(frozen=True)
class Checked:
    content_type: str
    extension: str
    sha256: str
    size: int


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"msf1", b"heim"}:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def check_upload(upload: UploadedFile[bytes], *, images_only: bool = False) -> Checked:
    """The file's real type and digest, or UploadRejected with a Chinese reason."""
    name = upload.name or "文件"
    size = upload.size or 0
    if size == 0:
        raise UploadRejected(f"“{name}”是空文件。")
    if size > MAX_BYTES:
        raise UploadRejected(f"“{name}”超过了{MAX_MB} MB的上限。")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is None or (images_only and not content_type.startswith("image/")):
        allowed = "照片（JPEG、PNG、WebP、HEIC）" + ("" if images_only else "或PDF")
        raise UploadRejected(f"“{name}”不是{allowed}文件。")
    digest = hashlib.sha256()
    upload.seek(0)
    while True:
        block = upload.read(1024 * 1024)
        if not block:
            break
        digest.update(block)
    upload.seek(0)
    return Checked(
        content_type=content_type,
        extension=EXTENSIONS[content_type],
        sha256=digest.hexdigest(),
        size=size,
    )
