"""Taking an action from the case page: checked as a person reads it, confirmed when it cannot be undone, and
answered with what happened (a success message), or with the refusal, the fresh case and the typed comment kept."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from service import cases
from service.authz import Actor
from service.cases.schemas import ActionRequest
from service.cases.visibility import visible, visible_case
from service.deps import SessionDep
from service.errors import Invalid, ServiceError
from service.meetings import written
from service.meetings.schemas import WrittenVote
from service.persistence.case_tables import Case, CaseEvent
from service.persistence.tables import User
from service.ui import budget_editor, case_context, forms, meeting_pickers
from service.ui.case_pages import CaseId, actor_of, case_view, clock
from service.ui.i18n import language, translator
from service.ui.views import csrf_ok, to_login, ui_user
from workflows.registry import WORKFLOWS
from workflows.schemas import Vote
from workflows.spec import Action, Collect, Effect

router = APIRouter(include_in_schema=False)


def who_acted(session: Session, case_id: int, since_version: int, lang: str) -> str:
    """ "Sara Bech: »Start screening«" for each event after the version the page showed."""
    case = session.get(Case, case_id)
    workflow = WORKFLOWS.get(case.case_type) if case else None
    rows = session.exec(
        select(CaseEvent, User)
        .join(User, col(User.id) == col(CaseEvent.actor_id), isouter=True)
        .where(CaseEvent.case_id == case_id, col(CaseEvent.seq) > since_version)
        .order_by(col(CaseEvent.seq))
    ).all()
    t, said = translator(lang), []
    for event, user in rows:
        spec = workflow.action(event.action) if workflow else None
        what = (spec.da if lang == "da" else spec.en) if spec else t(f"history.{event.action}")
        said.append(f"{user.full_name if user else t('system')}: »{what}«")
    return ", ".join(said)


def stale_message(session: Session, case_id: int, version: int | None, lang: str) -> str | None:
    """What happened since the page was loaded, when someone else acted meanwhile."""
    acted = who_acted(session, case_id, version, lang) if version is not None else ""
    return translator(lang)("stale").format(who=acted) if acted else None


def edits_moves(spec: Action | None, data: dict[str, Any]) -> bool:
    return spec is not None and Effect.update_data in spec.effects and "budget_moves" in data


def check_edited_moves(session: Session, actor: Actor, case: Case, action: str, data: dict[str, Any]) -> None:
    """Moves typed into a draft the user may edit are refused in the words the editor showed as they were typed."""
    here = cases.load(session, actor, case.id or 0, visible=visible(session, actor))
    if case.plan_id and any(o.allowed and o.action.name == action for o in here.options()):
        edited = case.data | data  # the draft as the edit would leave it
        budget_editor.refuse_impossible(session, plan_id=case.plan_id, case_id=case.id, data=edited)


@router.post("/sager/{case_id}/handling/{action}")
async def take_action(request: Request, session: SessionDep, case_id: CaseId, action: str) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not csrf_ok(request, form.get("csrf", "")):
        return RedirectResponse(f"/sager/{case_id}", status_code=303)
    lang, actor = language(request), actor_of(request, session, user)
    t, spec, data = translator(lang), None, {}
    try:
        case = visible_case(session, actor, case_id)
        workflow = WORKFLOWS[case.case_type]
        spec = workflow.action(action)
        if form.get("data.meeting_id") == meeting_pickers.WRITTEN:  # the schedule picker's written procedure
            form |= {"data.meeting_id": "", "data.written_procedure": "on"}
        data = forms.values(spec.requires if spec else None, form)
        body = forms.checked(
            ActionRequest, {"expected_version": form.get("version"), "comment": form.get("comment", ""), "data": data}
        )
        unconfirmed = spec is not None and case_context.irreversible(workflow, spec) and form.get("confirm") != "on"
        if unconfirmed and body.expected_version == case.version:  # a stale page hears that first
            raise Invalid("Confirm the step first.", [{"field": "confirm", "message": "missing"}], da=t("confirm_missing"))
        if spec is not None and spec.requires is not None:
            forms.checked(spec.requires, data)
            forms.not_in_future(spec.requires, data, clock(request).today())
        if edits_moves(spec, data) and body.expected_version == case.version:
            check_edited_moves(session, actor, case, action, data)
        in_writing = spec is not None and spec.collects == Collect.vote and written.open_deadline(session, case)
        if in_writing and not actor.is_secretariat:  # a member's own vote in writing: once, and it may close the round
            cast = Vote.model_validate(body.data)
            vote = WrittenVote(organisation=cast.organisation, vote=cast.vote, comment=body.comment)
            written.cast_vote(session=session, actor=actor, case_id=case_id, body=vote, now=clock(request).now())
        else:
            cases.apply_action(
                session=session,
                actor=actor,
                case_id=case_id,
                action=action,
                comment=body.comment,
                expected_version=body.expected_version,
                data=body.data,
                idempotency_key=form.get("idempotency_key") or None,
                now=clock(request).now(),
            )
    except ServiceError as refusal:  # the case as it is now, with what was wrong, under the refusal's status
        session.rollback()
        message = refusal.detail_da if lang == "da" and refusal.detail_da else refusal.detail
        version = int(form["version"]) if forms.ASCII_INTEGER.fullmatch(form.get("version", "")) else None
        stale = stale_message(session, case_id, version, lang) if refusal.status == 409 else None
        typed: dict[str, Any] = {"action": action, "comment": form.get("comment", "")}
        if refusal.status == 422 and spec is not None and edits_moves(spec, data):
            typed |= {"form": form, "data": forms.values(spec.requires, form)}  # shown again, not lost
        return case_view(request, session, user, case_id, refusal.status, stale or message, typed=typed)
    done = spec.da if spec and lang == "da" else spec.en if spec else action
    request.session["flash"] = t("voted") if spec and spec.collects else t("action_done").format(action=done)
    return RedirectResponse(f"/sager/{case_id}", status_code=303)
