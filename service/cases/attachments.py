"""Comments and documents on a case. Documents are stored by SHA-256 under var_dir; names are only labels."""

import hashlib
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from sqlmodel import Session

from service.authz import Actor
from service.cases.visibility import choose_visibility, visible_case
from service.errors import Forbidden, Invalid, ServiceError
from service.persistence.case_tables import CaseComment, CaseDocument, Visibility
from service.persistence.db import write_transaction
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


@dataclass(frozen=True)
class Upload:
    """An uploaded file as it arrives: its stream, the name the client gave, where it goes and the size limit."""

    stream: BinaryIO
    client_name: str
    folder: Path
    max_bytes: int


def may_contribute(actor: Actor) -> bool:
    """Anyone who can see a case may comment on it and attach to it, except read-only analysts."""
    return actor.system_role != SystemRole.analyst


def safe_name(client_name: str) -> str:
    """The file's own name without any path, control characters or leading dots; never empty."""
    name = PureWindowsPath(PurePosixPath(client_name).name).name
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".")
    return name[:200] or "dokument"


def add_comment(session: Session, *, case_id: int, actor: Actor, body: str, visibility: Visibility | None) -> CaseComment:
    """Comment on a case; the write lock is taken before the case is read."""
    if not may_contribute(actor):
        raise Forbidden("You may not do this: analysts have read access only.", da=READ_ONLY_DA)
    write_transaction(session)
    try:
        case = visible_case(session, actor, case_id)
        chosen = choose_visibility(session, actor, case, visibility)
        comment = CaseComment(case_id=case_id, author_id=actor.person, at=datetime.now(UTC), body=body, visibility=chosen)
        session.add(comment)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return comment


def store_document(
    session: Session, *, case_id: int, actor: Actor, upload: Upload, visibility: Visibility | None
) -> CaseDocument:
    """Check, hash and store an upload; the file is moved into place only after its row commits."""
    if not may_contribute(actor):
        raise Forbidden("You may not do this: analysts have read access only.", da=READ_ONLY_DA)
    name = safe_name(upload.client_name)
    content_type, signatures = _allowed(name)
    upload.folder.mkdir(parents=True, exist_ok=True)
    temporary, sha, size = _receive(upload, Path(name).suffix.lower(), signatures)
    try:
        write_transaction(session)
        case = visible_case(session, actor, case_id)
        document = CaseDocument(
            case_id=case_id,
            uploaded_by_id=actor.person,
            at=datetime.now(UTC),
            filename=name,
            content_type=content_type,
            size_bytes=size,
            sha256=sha,
            visibility=choose_visibility(session, actor, case, visibility),
        )
        session.add(document)
        session.commit()
    except BaseException:
        session.rollback()
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(upload.folder / sha)  # same content, same name: a concurrent twin upload is harmless
    return document


def _allowed(name: str) -> tuple[str, tuple[bytes, ...]]:
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        allowed = ", ".join(sorted(ALLOWED))
        raise Invalid(
            f"Files of type '{suffix or name}' cannot be attached; allowed: {allowed}.",
            [{"field": "file", "message": "type not allowed"}],
        )
    return ALLOWED[suffix]


def _receive(upload: Upload, suffix: str, signatures: tuple[bytes, ...]) -> tuple[Path, str, int]:
    """The upload copied to a temporary file in the folder, with its SHA-256 and size; removed when a check fails."""
    digest, size, head = hashlib.sha256(), 0, b""
    with tempfile.NamedTemporaryFile(dir=upload.folder, prefix=".upload-", delete=False) as temporary:
        try:
            while chunk := upload.stream.read(1 << 20):
                head = head or chunk[:16]
                size += len(chunk)
                if size > upload.max_bytes:
                    raise TooLarge(
                        f"The file is larger than the limit of {upload.max_bytes // (1 << 20)} MB.",
                        da=f"Filen er større end grænsen på {upload.max_bytes // (1 << 20)} MB.",
                    )
                digest.update(chunk)
                temporary.write(chunk)
            if size == 0:
                raise Invalid("The file is empty.", [{"field": "file", "message": "empty"}], da="Filen er tom.")
            if signatures and not head.startswith(signatures):
                raise Invalid(
                    f"The file's content is not a {suffix} file.",
                    [{"field": "file", "message": "content does not match"}],
                    da=f"Filens indhold er ikke en {suffix}-fil.",
                )
        except BaseException:
            Path(temporary.name).unlink(missing_ok=True)
            raise
    return Path(temporary.name), digest.hexdigest(), size
