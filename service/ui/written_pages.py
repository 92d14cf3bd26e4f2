"""The members' page for written procedure: each case their boards decide in writing, with its indstilling and
sagsfremstilling, the reply deadline, who has voted and said what, and the member's own vote and statement.

Every form goes through service.meetings.written (and so through the case's engine); a refusal is shown on the page.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select

from service.deps import SessionDep
from service.errors import ServiceError
from service.meetings import written
from service.meetings.schemas import WrittenStatement, WrittenVote
from service.persistence.tables import Organisation
from service.ui.case_pages import actor_of, clock
from service.ui.forms import checked
from service.ui.i18n import language, translator
from service.ui.views import csrf_ok, render, to_login, ui_user
from workflows.registry import WORKFLOWS
from workflows.schemas import MAX_ID

router = APIRouter(include_in_schema=False)
CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]
PAGE = "/skriftlig-behandling"


@router.get(PAGE)
def procedures_page(request: Request, session: SessionDep) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    actor = actor_of(request, session, user)
    found = written.procedures(session, actor, clock(request).now())
    return render(
        request,
        "written.html",
        user=user,
        procedures=found,
        workflows=WORKFLOWS,
        names={o.code: o.name for o in session.exec(select(Organisation))},
        error=request.session.pop("flash_error", None),
    )


@router.post(PAGE + "/{case_id}/{act}")
async def procedure_form(request: Request, session: SessionDep, case_id: CaseId, act: str) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if act in ("stemme", "udtalelse") and csrf_ok(request, form.get("csrf", "")):
        actor, now, t = actor_of(request, session, user), clock(request).now(), translator(language(request))
        try:
            if act == "stemme":
                values = {
                    "organisation": form.get("organisation"),
                    "vote": form.get("ballot"),
                    "comment": form.get("comment", ""),
                }
                vote = checked(WrittenVote, values)
                decided = written.cast_vote(session=session, actor=actor, case_id=case_id, body=vote, now=now)
                said = t("wp.decided").format(outcome=t(f"outcome.{decided}")) if decided else t("wp.vote_cast")
            else:
                statement = checked(WrittenStatement, {"text": form.get("text", "")})
                written.give_statement(session=session, actor=actor, case_id=case_id, body=statement, now=now)
                said = t("wp.stated")
            request.session["flash"] = said
        except ServiceError as refusal:
            session.rollback()
            danish = language(request) == "da" and refusal.detail_da
            request.session["flash_error"] = refusal.detail_da if danish else refusal.detail
    return RedirectResponse(f"{PAGE}#sag-{case_id}", status_code=303)
