"""Comments and documents on a case. Documents are stored by SHA-256 under var_dir; names are only labels."""

import hashlib
import re
import tempfile
import unicodedata
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from sqlmodel import Session

from service.authz import Actor
from service.errors import Forbidden, Invalid, ServiceError
from service.persistence.case_tables import Case, CaseComment, CaseDocument
from service.persistence.tables import SystemRole

ALLOWED = {  # extension -> (content type, the first bytes such a file starts with, if it has a signature)
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".txt": ("text/plain; charset=utf-8", ()),
    ".csv": ("text/csv; charset=utf-8", ()),
}


READ_ONLY_DA = "Du må ikke gøre dette: analytikere har kun læseadgang."


class TooLarge(ServiceError):
    status = 413


def may_contribute(actor: Actor) -> bool:
    """Anyone who can see a case may comment on it and attach to it, except read-only analysts."""
    return actor.system_role != SystemRole.analyst


def safe_name(client_name: str) -> str:
    """The file's own name without any path, control characters or leading dots; never empty."""
    name = PureWindowsPath(PurePosixPath(client_name).name).name
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".")
    return name[:200] or "dokument"


def add_comment(session: Session, *, case: Case, actor: Actor, body: str) -> CaseComment:
    if not may_contribute(actor):
        raise Forbidden("You may not do this: analysts have read access only.", da=READ_ONLY_DA)
    comment = CaseComment(case_id=case.id or 0, author_id=actor.user_id, at=datetime.now(UTC), body=body)
    session.add(comment)
    session.commit()
    session.refresh(comment)
    return comment


def store_document(
    session: Session, *, case: Case, actor: Actor, stream: BinaryIO, client_name: str, folder: Path, max_bytes: int
) -> CaseDocument:
    """Check, hash and store an upload; nothing is kept when any check fails."""
    if not may_contribute(actor):
        raise Forbidden("You may not do this: analysts have read access only.", da=READ_ONLY_DA)
    name = safe_name(client_name)
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        allowed = ", ".join(sorted(ALLOWED))
        raise Invalid(
            f"Files of type '{suffix or name}' cannot be attached; allowed: {allowed}.",
            [{"field": "file", "message": "type not allowed"}],
        )
    content_type, signatures = ALLOWED[suffix]
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with tempfile.NamedTemporaryFile(dir=folder, delete=False) as temporary:
        try:
            head = b""
            while chunk := stream.read(1 << 20):
                if not head:
                    head = chunk[:16]
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"The file is larger than the limit of {max_bytes // (1 << 20)} MB.")
                digest.update(chunk)
                temporary.write(chunk)
            if size == 0:
                raise Invalid("The file is empty.", [{"field": "file", "message": "empty"}])
            if signatures and not head.startswith(signatures):
                raise Invalid(
                    f"The file's content is not a {suffix} file.", [{"field": "file", "message": "content does not match"}]
                )
        except BaseException:
            Path(temporary.name).unlink(missing_ok=True)
            raise
    sha = digest.hexdigest()
    Path(temporary.name).replace(folder / sha)
    document = CaseDocument(
        case_id=case.id or 0,
        uploaded_by_id=actor.user_id,
        at=datetime.now(UTC),
        filename=name,
        content_type=content_type,
        size_bytes=size,
        sha256=sha,
    )
    session.add(document)
    session.commit()
    session.refresh(document)
    return document
