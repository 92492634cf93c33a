"""Which files members may share in a group (post attachments and the library), decided by their content.

A file's name and the type the browser claims are the uploader's to choose, so neither decides anything: the
first bytes (and, for Office and OpenDocument files, the zip's table of contents) say what the file is. The
stored name takes the extension of the detected type, and downloads are served with that type, as an
attachment and with `X-Content-Type-Options: nosniff`, so no shared file can run as a page on the site.
Plain text (txt, csv, md) has no signature: it is accepted when the name says so and the content is UTF-8
without control bytes.
"""

from __future__ import annotations

import codecs
import re
import secrets
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connective.core.places import ascii_fold

UPLOAD_MAX_BYTES = 20 * 1024 * 1024
NAME_MAX = 200
# Enough to tell any signature and to judge whether a text file is text.
_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str


PDF = FileType("pdf", "application/pdf")
JPEG = FileType("jpg", "image/jpeg")
PNG = FileType("png", "image/png")
WEBP = FileType("webp", "image/webp")
GIF = FileType("gif", "image/gif")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PPTX = FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation")
ODT = FileType("odt", "application/vnd.oasis.opendocument.text")
ODS = FileType("ods", "application/vnd.oasis.opendocument.spreadsheet")
ODP = FileType("odp", "application/vnd.oasis.opendocument.presentation")
TXT = FileType("txt", "text/plain")
CSV = FileType("csv", "text/csv")
MARKDOWN = FileType("md", "text/markdown")

ALLOWED_TYPES: tuple[FileType, ...] = (
    PDF,
    JPEG,
    PNG,
    WEBP,
    GIF,
    DOCX,
    XLSX,
    PPTX,
    ODT,
    ODS,
    ODP,
    TXT,
    CSV,
    MARKDOWN,
)
ALLOWED_CONTENT_TYPES = frozenset(kind.content_type for kind in ALLOWED_TYPES)
# For the `accept` attribute of file inputs: a hint to the browser's picker, never a check.
ACCEPT = ",".join(f".{kind.extension}" for kind in ALLOWED_TYPES)
# Shown next to every file field and in every refusal.
ALLOWED_LABEL = _(
    "PDF, Word, Excel, PowerPoint, OpenDocument, JPEG, PNG, WebP, GIF, plain text, CSV or Markdown"
)

_TEXT_TYPES = {"txt": TXT, "text": TXT, "csv": CSV, "md": MARKDOWN, "markdown": MARKDOWN}
_ODF_TYPES = {kind.content_type: kind for kind in (ODT, ODS, ODP)}
_OOXML_PARTS = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX), ("ppt/presentation.xml", PPTX))
_OOXML_MAIN_TYPES = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
_CONTENT_TYPES_MAX = 512 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    """An accepted file: its type as detected, a safe name to store and show, its size in bytes."""

    name: str
    content_type: str
    size: int


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _sniff_zip(file: IO[bytes]) -> FileType | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                # OpenDocument keeps its type, uncompressed and tiny, in the first entry.
                with archive.open("mimetype") as entry:
                    declared = entry.read(100).decode("ascii", "replace").strip()
                return _ODF_TYPES.get(declared)
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as entry:
                    declared = entry.read(_CONTENT_TYPES_MAX).decode("utf-8", "replace")
                for part, kind in _OOXML_PARTS:
                    # The declared main part also tells a macro-enabled file (docm, xlsm, pptm), which
                    # has the same parts, from a plain one.
                    if part in names and f'ContentType="{_OOXML_MAIN_TYPES[kind]}"' in declared:
                        return kind
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return None
    return None


def _is_text(head: bytes, *, whole: bool) -> bool:
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # Unless the head is the whole file, it may end inside a multi-byte character.
        text = decoder.decode(head, final=whole)
    except UnicodeDecodeError:
        return False
    # Tab, line feed, carriage return and form feed are text; other control characters are not.
    return not re.search(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", text)


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def sniff(file: IO[bytes], name: str) -> FileType | None:
    """The file's type if it is one of ALLOWED_TYPES, judged by its content; None otherwise."""
    file.seek(0)
    head = file.read(_HEAD_BYTES)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head.startswith(b"PK\x03\x04"):
        try:
            return _sniff_zip(file)
        finally:
            file.seek(0)
    text_type = _TEXT_TYPES.get(_extension(name))
    if text_type is not None and head and _is_text(head, whole=len(head) < _HEAD_BYTES):
        return text_type
    return None


def safe_name(name: str, kind: FileType) -> str:
    """The uploader's name reduced to letters, digits and dashes, with the extension of the detected type."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_fold(stem)).strip("-_")
    stem = stem[: NAME_MAX - len(kind.extension) - 1] or "file"
    return f"{stem}.{kind.extension}"


def storage_name(checked: CheckedUpload) -> str:
    """The name to save an accepted file under: its safe name inside a random folder, so a file of a closed
    or secret group cannot be found by guessing its address where media files are served directly; the
    site itself hands files out only through views that check who reads."""
    return f"{secrets.token_hex(16)}/{checked.name}"


def upload_check(file: Any, *, max_bytes: int = UPLOAD_MAX_BYTES) -> CheckedUpload:
    """Accept `file` (a Django UploadedFile) or raise a ValidationError a member understands.

    Codes: "empty", "too_large", "invalid_type".
    """
    size = int(file.size or 0)
    if size == 0:
        raise ValidationError(gettext("The file is empty."), code="empty")
    if size > max_bytes:
        raise ValidationError(
            gettext("The file is %(size)s MB; the limit is %(limit)s MB. Please upload a smaller file.")
            % {"size": megabytes(size), "limit": f"{max_bytes / (1024 * 1024):.0f}"},
            code="too_large",
        )
    kind = sniff(file, file.name or "")
    if kind is None:
        raise ValidationError(
            gettext("This type of file cannot be shared here. Allowed are: %(types)s.")
            % {"types": ALLOWED_LABEL},
            code="invalid_type",
        )
    return CheckedUpload(name=safe_name(file.name or "", kind), content_type=kind.content_type, size=size)


def download_response(*, file: Any, name: str, content_type: str) -> FileResponse:
    """A shared file as a download: never shown inline, never re-typed by the browser, never scripted."""
    response = FileResponse(file.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Readers of closed and secret groups only: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response
