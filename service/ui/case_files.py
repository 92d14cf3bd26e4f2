"""The case page's comment thread and documents: add a comment, upload and download files, each internal (the
secretariat and the deciding board) or shared (also the consultation's local group)."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlmodel import col, select
from starlette.datastructures import UploadFile

from service.cases import attachments
from service.cases.visibility import content_filter, visible_case
from service.deps import SessionDep
from service.errors import Invalid, ServiceError
from service.persistence.case_tables import CaseDocument, Visibility
from service.ui.case_pages import CaseId, actor_of, case_view
from service.ui.i18n import language, translator
from service.ui.views import csrf_ok, to_login, ui_user
from workflows.schemas import MAX_ID

router = APIRouter(include_in_schema=False)
DocId = Annotated[int, Path(ge=1, le=MAX_ID)]


def chosen(raw: object) -> Visibility | None:
    return Visibility(str(raw)) if str(raw) in tuple(Visibility) else None


@router.post("/sager/{case_id}/kommentar")
async def comment(request: Request, session: SessionDep, case_id: CaseId) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    form = await request.form()
    if not csrf_ok(request, str(form.get("csrf", ""))):
        return RedirectResponse(f"/sager/{case_id}", status_code=303)
    t = translator(language(request))
    body = str(form.get("body", "")).strip()
    try:
        if not body or len(body) > 20_000:
            raise Invalid("Write a comment first.", [{"field": "body", "message": "empty"}], da=t("comment_empty"))
        actor = actor_of(request, session, user)
        attachments.add_comment(session, case_id=case_id, actor=actor, body=body, visibility=chosen(form.get("visibility")))
    except ServiceError as refusal:
        session.rollback()
        return case_view(request, session, user, case_id, refusal.status, refused(request, refusal))
    request.session["flash"] = t("comment_added")
    return RedirectResponse(f"/sager/{case_id}#traad", status_code=303)


@router.post("/sager/{case_id}/dokument")
async def upload(request: Request, session: SessionDep, case_id: CaseId) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    form = await request.form()
    if not csrf_ok(request, str(form.get("csrf", ""))):
        return RedirectResponse(f"/sager/{case_id}", status_code=303)
    t, file = translator(language(request)), form.get("file")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise Invalid("Choose a file first.", [{"field": "file", "message": "missing"}], da=t("file_missing"))
        settings = request.app.state.settings
        received = attachments.Upload(file.file, file.filename, settings.var_dir / "documents", settings.max_upload_mb << 20)
        actor = actor_of(request, session, user)
        attachments.store_document(
            session, case_id=case_id, actor=actor, upload=received, visibility=chosen(form.get("visibility"))
        )
    except ServiceError as refusal:
        session.rollback()
        return case_view(request, session, user, case_id, refusal.status, refused(request, refusal))
    request.session["flash"] = t("document_added")
    return RedirectResponse(f"/sager/{case_id}#traad", status_code=303)


def refused(request: Request, refusal: ServiceError) -> str:
    return refusal.detail_da if language(request) == "da" and refusal.detail_da else refusal.detail


@router.get("/sager/{case_id}/dokumenter/{doc_id}")
def download(request: Request, session: SessionDep, case_id: CaseId, doc_id: DocId) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    actor = actor_of(request, session, user)
    try:
        case = visible_case(session, actor, case_id)
    except ServiceError:
        return case_view(request, session, user, case_id)
    shown = content_filter(session, actor, case, col(CaseDocument.visibility))
    document = session.exec(
        select(CaseDocument).where(CaseDocument.id == doc_id, CaseDocument.case_id == case_id, shown)
    ).first()
    path = request.app.state.settings.var_dir / "documents" / document.sha256 if document else None
    if document is None or path is None or not path.exists():
        return case_view(request, session, user, case_id, 404, translator(language(request))("no_such_document"))
    return FileResponse(path, media_type=document.content_type, filename=document.filename)
