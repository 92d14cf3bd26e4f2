"""Comments and documents on a case."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlmodel import col, select

from service.cases import attachments
from service.cases.visibility import content_filter, visible_case
from service.deps import ActorDep, SessionDep, SettingsDep
from service.errors import NotFound
from service.persistence.case_tables import CaseComment, CaseDocument, Visibility
from service.persistence.tables import User
from workflows.schemas import MAX_ID

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "Not logged in"}, 404: {"description": "No such case"}}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {"description": "Read-only access"},
    413: {"description": "Too large"},
    422: {"description": "Invalid"},
}

router = APIRouter(tags=["cases"], responses=ERRORS)


class CommentCreate(BaseModel):
    body: str = Field(min_length=1, max_length=20_000)
    visibility: Visibility | None = Field(
        default=None, description="internal (default) or shared with the consultation's local group"
    )


class CommentPublic(BaseModel):
    id: int
    author: str
    at: datetime
    body: str
    visibility: Visibility


class DocumentPublic(BaseModel):
    id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    at: datetime
    visibility: Visibility


def _usernames(session: SessionDep, ids: set[int]) -> dict[int, str]:
    return {u.id: u.username for u in session.exec(select(User).where(col(User.id).in_(ids))) if u.id}


@router.post("/cases/{case_id}/comments", status_code=201, response_model=CommentPublic, responses=WRITE_ERRORS)
def add_comment(case_id: Id, body: CommentCreate, actor: ActorDep, session: SessionDep) -> CommentPublic:
    """Comment on a case."""
    comment = attachments.add_comment(session, case_id=case_id, actor=actor, body=body.body, visibility=body.visibility)
    return _comment(comment, actor.username)


def _comment(c: CaseComment, author: str) -> CommentPublic:
    return CommentPublic(id=c.id or 0, author=author, at=c.at, body=c.body, visibility=c.visibility)


@router.get("/cases/{case_id}/comments", response_model=list[CommentPublic])
def list_comments(case_id: Id, actor: ActorDep, session: SessionDep) -> list[CommentPublic]:
    """The case's comments, oldest first."""
    case = visible_case(session, actor, case_id)
    shown = content_filter(session, actor, case, col(CaseComment.visibility))
    rows = list(session.exec(select(CaseComment).where(CaseComment.case_id == case_id, shown).order_by(col(CaseComment.id))))
    names = _usernames(session, {c.author_id for c in rows})
    return [_comment(c, names.get(c.author_id, "?")) for c in rows]


@router.post("/cases/{case_id}/documents", status_code=201, response_model=DocumentPublic, responses=WRITE_ERRORS)
def upload_document(
    case_id: Id,
    file: Annotated[UploadFile, File()],
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    visibility: Annotated[Visibility | None, Form()] = None,
) -> DocumentPublic:
    """Attach a file (PDF, Office documents, images, text; at most the configured size); internal unless shared."""
    upload = attachments.Upload(
        stream=file.file,
        client_name=file.filename or "",
        folder=settings.var_dir / "documents",
        max_bytes=settings.max_upload_mb << 20,
    )
    document = attachments.store_document(session, case_id=case_id, actor=actor, upload=upload, visibility=visibility)
    return _public(document, actor.username)


def _public(d: CaseDocument, uploader: str) -> DocumentPublic:
    return DocumentPublic(
        id=d.id or 0,
        filename=d.filename,
        content_type=d.content_type,
        size_bytes=d.size_bytes,
        sha256=d.sha256,
        uploaded_by=uploader,
        at=d.at,
        visibility=d.visibility,
    )


@router.get("/cases/{case_id}/documents", response_model=list[DocumentPublic])
def list_documents(case_id: Id, actor: ActorDep, session: SessionDep) -> list[DocumentPublic]:
    """The case's documents."""
    case = visible_case(session, actor, case_id)
    shown = content_filter(session, actor, case, col(CaseDocument.visibility))
    rows = list(
        session.exec(select(CaseDocument).where(CaseDocument.case_id == case_id, shown).order_by(col(CaseDocument.id)))
    )
    names = _usernames(session, {d.uploaded_by_id for d in rows})
    return [_public(d, names.get(d.uploaded_by_id, "?")) for d in rows]


@router.get(
    "/cases/{case_id}/documents/{doc_id}",
    response_class=FileResponse,
    responses={
        **ERRORS,
        200: {"content": {t.split(";")[0]: {} for t, _ in attachments.ALLOWED.values()}, "description": "The file"},
    },
)
def download_document(case_id: Id, doc_id: Id, actor: ActorDep, session: SessionDep, settings: SettingsDep) -> FileResponse:
    """Download a document under its original name."""
    case = visible_case(session, actor, case_id)
    shown = content_filter(session, actor, case, col(CaseDocument.visibility))
    document = session.exec(
        select(CaseDocument).where(CaseDocument.id == doc_id, CaseDocument.case_id == case_id, shown)
    ).first()
    path = settings.var_dir / "documents" / document.sha256 if document else None
    if document is None or path is None or not path.exists():
        raise NotFound(f"There is no document {doc_id} on case {case_id}.")
    return FileResponse(path, media_type=document.content_type, filename=document.filename)
