"""Portrait photos of a case: JPEG or PNG, checked by their content (never by the file name or
the declared type alone), at most PHOTO_MAX_BYTES, kept outside the database and named by their
SHA-256, so the same content is stored once. An Attachment row ties a photo to its case.

Files go through the shared store interface (services/file_store.py: a directory under
UPLOAD_DIR by default, shared by every node; an S3-compatible store can take its place).
"""

import hashlib
import io
import logging
import warnings

from flask import current_app
from PIL import Image
from sqlalchemy import select

from ...models import Attachment, Case, User, db
from .. import access
from ..errors import Conflict, Forbidden, Invalid, Msg, ServiceError
from ..file_store import file_store

log = logging.getLogger(__name__)
KIND = "portrait"
# Pillow's format name → (content type, file extension). MPO is a JPEG with extra frames, as
# some phone cameras write it; browsers show it as the JPEG it starts with.
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "MPO": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}
CONTENT_TYPES = ("image/jpeg", "image/png")
EXTENSIONS = dict(FORMATS.values())
# A card portrait is a few hundred pixels a side; these bounds refuse thumbnails and
# decompression bombs (a small file that decodes to a huge bitmap).
MIN_SIDE, MAX_SIDE = 100, 4000
# The police take (or retake) the portrait while receiving the application.
STEPS = ("verify_application", "capture_biometrics")
OPENERS = ["JPEG", "PNG"]  # the only Pillow plugins tried: nothing else is even parsed


class TooLarge(ServiceError):
    code, status = "too_large", 413


class UnsupportedType(ServiceError):
    code, status = "unsupported_media_type", 415


NOT_AN_IMAGE = Msg(
    "Tệp không phải ảnh JPEG hoặc PNG hợp lệ (kiểm tra theo nội dung, không theo tên tệp).",
    "The file is not a valid JPEG or PNG image (checked by its content, not its name).",
)


def max_bytes() -> int:
    return current_app.config["PHOTO_MAX_BYTES"]


def key_of(attachment: Attachment) -> str:
    ext = EXTENSIONS[attachment.content_type]
    return f"portraits/{attachment.sha256[:2]}/{attachment.sha256}.{ext}"


def check_image(data: bytes, declared: str | None = None) -> str:
    """The image's content type, from its content. `declared` (the API's Content-Type) must be
    JPEG or PNG (else UnsupportedType) and match the content (else Invalid); the web form
    declares nothing, so a PNG named .jpg is simply a PNG."""
    if declared is not None and declared not in CONTENT_TYPES:
        raise UnsupportedType(
            Msg(
                f"Chỉ nhận ảnh {' hoặc '.join(CONTENT_TYPES)}, không nhận {declared or 'kiểu trống'}.",
                f"Only {' or '.join(CONTENT_TYPES)} are accepted, not {declared or 'an empty type'}.",
            ),
            {"Content-Type": [Msg("image/jpeg hoặc image/png.", "image/jpeg or image/png.")]},
        )
    limit = max_bytes()
    if len(data) > limit:
        problem = Msg(
            f"Ảnh tối đa {limit // 1024} KB; tệp gửi lên {len(data) // 1024} KB.",
            f"A portrait is at most {limit // 1024} KB; this file is {len(data) // 1024} KB.",
        )
        raise TooLarge(problem, {"portrait": [problem]})
    fmt, size = _inspect(data)
    if fmt not in FORMATS:
        raise Invalid({"portrait": [NOT_AN_IMAGE]})
    content_type = FORMATS[fmt][0]
    if declared is not None and declared != content_type:
        raise Invalid(
            {
                "portrait": [
                    Msg(
                        f"Nội dung là ảnh {fmt}, không phải {declared} như đã khai báo.",
                        f"The content is a {fmt} image, not {declared} as declared.",
                    )
                ]
            }
        )
    width, height = size
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise Invalid(
            {
                "portrait": [
                    Msg(
                        f"Ảnh {width}×{height} điểm ảnh; mỗi cạnh phải từ {MIN_SIDE} đến {MAX_SIDE}.",
                        f"The image is {width}×{height} pixels; each side must be {MIN_SIDE} to {MAX_SIDE}.",
                    )
                ]
            }
        )
    return content_type


def _inspect(data: bytes) -> tuple[str | None, tuple[int, int]]:
    """Pillow's format and size, after checking the file's structure and decoding it whole (a
    truncated JPEG passes verify() alone). Anything Pillow cannot read is (None, (0, 0))."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=OPENERS) as image:
                fmt, size = image.format, image.size
                image.verify()
            if max(size) <= MAX_SIDE:
                with Image.open(io.BytesIO(data), formats=OPENERS) as image:
                    image.load()
        except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError...)
            return None, (0, 0)
    return fmt, size


def upload(user: User, case: Case, data: bytes, declared: str | None = None) -> tuple[Attachment, bool]:
    """Check and store a portrait for the case. Returns the attachment and whether it is new
    (the case's latest portrait with the same content is returned as it is)."""
    if not access.can_start_case(user, case.unit):  # who takes applications in the case's unit
        raise Forbidden(
            Msg("Chỉ Công an tiếp nhận hồ sơ mới thu nhận ảnh.", "Only intake police take portraits.")
        )
    if case.status != "open" or not set(case.steps) & set(STEPS):
        raise Conflict(
            Msg(
                "Chỉ thu nhận ảnh khi hồ sơ đang ở bước tiếp nhận hoặc thu nhận vân tay, ảnh.",
                "A portrait is taken only while the case is at intake or biometrics capture.",
            )
        )
    content_type = check_image(data, declared)
    sha256 = hashlib.sha256(data).hexdigest()
    current = latest(case)
    if current is not None and current.sha256 == sha256:
        return current, False
    attachment = Attachment(
        case_id=case.id,
        kind=KIND,
        sha256=sha256,
        content_type=content_type,
        size=len(data),
        created_by_id=user.id,
    )
    store = file_store()
    key = key_of(attachment)
    if not store.exists(key):  # content-addressed: the same bytes are kept once
        store.put(key, data)
    db.session.add(attachment)
    db.session.flush()
    log.info("portrait %s for case %s by %s", sha256[:12], case.code, user.username)
    return attachment, True


def latest(case: Case) -> Attachment | None:
    return db.session.scalar(
        select(Attachment)
        .where(Attachment.case_id == case.id, Attachment.kind == KIND)
        .order_by(Attachment.id.desc())
        .limit(1)
    )


def read(attachment: Attachment) -> bytes:
    return file_store().get(key_of(attachment))


def required() -> bool:
    """Whether capture_biometrics needs a portrait in this system (see docs/intake.md)."""
    return bool(current_app.config.get("PORTRAIT_REQUIRED", False))


def after_capture(case: Case, user: User, clean: dict) -> dict:
    """Hook of capture_biometrics: the portrait the completion vouches for (its hash)."""
    portrait = latest(case)
    if portrait is None and required():
        raise Invalid(
            {
                "portrait": [
                    Msg(
                        "Chưa có ảnh chân dung: tải ảnh lên trước khi hoàn thành bước này.",
                        "No portrait yet: upload one before completing this step.",
                    )
                ]
            }
        )
    return {"portrait": portrait.sha256 if portrait else None}
