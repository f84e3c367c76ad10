"""Private PDF files (résumés, offer letters): checked by content and size on the way in, streamed
only through authorised endpoints on the way out, stored under server-generated names."""

import uuid

from django.conf import settings
from django.http import FileResponse

from core.api.codes import ErrorCode
from core.api.errors import FileTooLarge, PlacemateError

PDF_MAGIC = b"%PDF-"
# Room for the multipart envelope around the file when the request's length is checked early.
MULTIPART_OVERHEAD = 64 * 1024


class UnsupportedFileType(PlacemateError):
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE
    message = "Only PDF files are accepted."


def max_pdf_bytes() -> int:
    return settings.RESUME_MAX_BYTES


def refuse_oversized_request(request) -> None:
    """413 before the body is even parsed when its declared length is over the limit."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_pdf_bytes() + MULTIPART_OVERHEAD:
        raise _too_large()


def _too_large() -> FileTooLarge:
    limit = max_pdf_bytes()
    return FileTooLarge(f"The file is larger than {limit} bytes.", details={"max_bytes": limit})


def pdf_checked(upload):
    """The upload if it is a PDF (by its first bytes, whatever its name or declared type) within
    the size limit; 413 `file_too_large` or 415 `unsupported_media_type` otherwise."""
    if upload.size > max_pdf_bytes():
        raise _too_large()
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise UnsupportedFileType()
    return upload


def generated_pdf_name(folder: str) -> str:
    """A name of our own: the client's file name never reaches the storage."""
    return f"{folder}/{uuid.uuid4().hex}.pdf"


def private_pdf_response(field_file, *, filename: str) -> FileResponse:
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
