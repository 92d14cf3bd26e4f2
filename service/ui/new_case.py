"""Opening a case: the form per case type (only the plans or boards the user may open it for), and its submission.

A token in the form makes a second submission of the same form (back, then "Opret sag" again) show the case the
first one opened instead of opening another.
"""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from service import cases, register
from service.authz import Actor, case_setting, roles_for
from service.cases.schemas import CaseCreate
from service.deps import SessionDep
from service.errors import ServiceError
from service.persistence.case_tables import Case, CaseEvent
from service.persistence.tables import ActivityArea, Board, BoardKind, Plan, User
from service.ui import budget_editor, case_context, forms
from service.ui.case_pages import actor_of, clock
from service.ui.i18n import language, translator
from service.ui.views import csrf_ok, render, to_login, ui_user
from workflows.registry import WORKFLOWS
from workflows.spec import Workflow

router = APIRouter(include_in_schema=False)
KEPT_TOKENS = 20  # forms answered, remembered in the session
TWIN_WINDOW = timedelta(minutes=10)


def may_open_for(session: Session, actor: Actor, workflow: Workflow) -> list[Any]:
    """The plans (or district boards) the actor may open a case of this type for, project leaders' own first."""
    if workflow.subject != "plan":
        allowed = actor.is_secretariat or actor.is_admin
        query = select(Board).where(Board.kind == BoardKind.district).order_by(col(Board.code))
        return list(session.exec(query)) if allowed else []
    plans = [
        p
        for p in register.list_plans(session=session)
        if set(roles_for(actor, case_setting(session, plan_id=p.id, deciding_board_id=None))) & set(workflow.creators)
    ]
    return sorted(plans, key=lambda p: p.id not in actor.leads)


@router.get("/sager/ny")
def new_case_form(request: Request, session: SessionDep, type: str = "", plan: int = 0) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    case_type = type if type in WORKFLOWS else next(iter(WORKFLOWS))
    return new_case_page(request, session, user, case_type, form={"subject": str(plan)} if plan else None)


def new_case_page(
    request: Request, session: SessionDep, user: User, case_type: str, status_code: int = 200, **extra: Any
) -> Response:
    workflow = WORKFLOWS[case_type]
    form = extra.pop("form", None) or {}
    return render(
        request,
        "new_case.html",
        status_code,
        user=user,
        workflow=workflow,
        workflows=WORKFLOWS.values(),
        subjects=may_open_for(session, actor_of(request, session, user), workflow),
        fields=forms.fields(workflow.data_schema),
        areas=session.exec(select(ActivityArea).order_by(col(ActivityArea.code))).all(),
        form=form,
        form_rows=forms.values(workflow.data_schema, form) if form else {},
        form_token=form.get("form_token") or secrets.token_urlsafe(16),
        past_dates=forms.HAPPENED,
        today=clock(request).today(),
        moves_check={"url": budget_editor.CHECK_URL, "case": None, "preview": True},
        editor=_editor(session, workflow, form, language(request)),
        area_names=case_context.area_names(session, language(request)),
        **extra,
    )


def _editor(session: Session, workflow: Workflow, form: dict[str, str], lang: str) -> budget_editor.Editor | None:
    """The budget-move editor's view of the typed moves, when the form concerns a plan that exists."""
    plan_id = budget_editor.number(form.get("subject", "")) if workflow.subject == "plan" else None
    if plan_id is None or session.get(Plan, plan_id) is None:
        return None
    rows = budget_editor.typed_rows(form)
    total = budget_editor.total_of(form, {})
    return budget_editor.editor(session, plan_id=plan_id, case_id=None, rows=rows, total=total, lang=lang)


@router.post("/sager/ny")
async def open_case(request: Request, session: SessionDep) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    case_type, token = form.get("case_type", ""), form.get("form_token", "")
    if not csrf_ok(request, form.get("csrf", "")) or case_type not in WORKFLOWS:
        return RedirectResponse("/sager/ny", status_code=303)
    answered: dict[str, int] = request.session.get("opened", {})
    if token in answered:  # this form was submitted before: show what it opened
        return RedirectResponse(f"/sager/{answered[token]}", status_code=303)
    if form.get("preview"):  # the budget before and after, without the page's script: nothing is stored
        return new_case_page(request, session, user, case_type, form=form)
    try:
        case_id = _open(request, session, user, WORKFLOWS[case_type], form)
    except ServiceError as refusal:
        return new_case_page(request, session, user, case_type, refusal.status, error=refusal, form=form)
    if token:
        request.session["opened"] = dict(list(answered.items())[-(KEPT_TOKENS - 1) :]) | {token: case_id}
    request.session["flash"] = translator(language(request))("case_opened")
    return RedirectResponse(f"/sager/{case_id}", status_code=303)


def recent_twin(session: Session, user: User, body: CaseCreate, now: datetime) -> int | None:
    """A case the user opened in the last minutes with the same type, subject and title (the form sent again after
    going back, whose token the browser may have renewed): shown instead of opening a second one."""
    same = select(Case).where(
        Case.created_by_id == user.id,
        Case.case_type == body.case_type,
        Case.title == body.title,
        Case.plan_id == body.plan_id,
        Case.board_id == body.board_id,
    )
    twin = session.exec(same.order_by(col(Case.id).desc()).limit(1)).first()
    if twin is None or twin.description != body.description:
        return None
    opened = session.exec(select(func.min(CaseEvent.at)).where(CaseEvent.case_id == twin.id)).one()
    return twin.id if opened is not None and as_utc(opened) >= now - TWIN_WINDOW else None


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _open(request: Request, session: SessionDep, user: User, workflow: Workflow, form: dict[str, str]) -> int:
    """Check the form as a person reads it (labels, Danish amounts, no future dates of past events), then open."""
    subject_field = "plan_id" if workflow.subject == "plan" else "board_id"
    data = forms.values(workflow.data_schema, form)
    body = forms.checked(
        CaseCreate,
        {
            "case_type": workflow.key,
            "title": form.get("title", "").strip(),
            "description": form.get("description", ""),
            subject_field: form.get("subject") or None,
            "data": data,
        },
    )
    if workflow.data_schema is not None:
        forms.checked(workflow.data_schema, data)
    forms.not_in_future(workflow.data_schema, data, clock(request).today())
    if body.plan_id is not None and data.get("budget_moves"):
        budget_editor.refuse_impossible(session, plan_id=body.plan_id, case_id=None, data=data)
    twin = recent_twin(session, user, body, clock(request).now())
    if twin is not None:
        return twin
    case = cases.open_case(
        session=session,
        actor=actor_of(request, session, user),
        case_type=workflow.key,
        title=body.title,
        description=body.description,
        plan_id=body.plan_id,
        board_id=body.board_id,
        data=body.data,
        now=clock(request).now(),
    )
    return case.id or 0
