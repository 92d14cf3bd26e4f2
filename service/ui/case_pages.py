"""Case pages: one case with its actions as buttons, and opening a new case.

The buttons are exactly the engine's allowed actions for the user; each form is derived from the action's schema.
"""

import shutil
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlmodel import col, select

from service import cases
from service.authz import Actor, load_actor
from service.cases import history as case_history
from service.cases import views as case_views
from service.cases.visibility import shown_visibilities, visible, visible_case
from service.clock import Clock
from service.deps import SessionDep
from service.diagrams import render_svg
from service.errors import ServiceError
from service.forecasting.texts import slip_text
from service.meetings.written import open_deadline
from service.persistence.case_tables import Case, CaseDeadline, DeadlineStatus
from service.persistence.tables import Board, Plan, User
from service.ui import budget_editor, case_context, forms, meeting_pickers, messages
from service.ui.i18n import language
from service.ui.views import render, to_login, ui_user
from workflows.docs import dot
from workflows.registry import WORKFLOWS
from workflows.schemas import MAX_ID, Source
from workflows.spec import Deadline, Effect

router = APIRouter(include_in_schema=False)
CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]


def labels() -> dict[str, dict[str, str]]:
    """Danish and English names of each case type and state, for the templates."""
    return {
        w.key: {
            "da": w.da,
            "en": w.en,
            **{f"state.{s.name}": s.da for s in w.states},
            **{f"state_en.{s.name}": s.en for s in w.states},
        }
        for w in WORKFLOWS.values()
    }


def clock(request: Request) -> Clock:
    """The service's business clock (real time, or the demo register's time)."""
    found: Clock = request.app.state.clock
    return found


def actor_of(request: Request, session: SessionDep, user: User) -> Actor:
    """The logged-in user as an actor on the business clock's date."""
    return load_actor(session, user, clock(request).today())


def next_deadlines(session: SessionDep, case_ids: list[int]) -> dict[int, CaseDeadline]:
    """Each listed case's soonest open deadline (with its next reminder rung)."""
    rows = session.exec(
        select(CaseDeadline)
        .where(col(CaseDeadline.case_id).in_(case_ids), CaseDeadline.status == DeadlineStatus.open)
        .order_by(col(CaseDeadline.due_on), col(CaseDeadline.id))
    )
    soonest: dict[int, CaseDeadline] = {}
    for row in rows:
        soonest.setdefault(row.case_id, row)
    return soonest


@router.get("/sager/{case_id}")
def case_page(request: Request, session: SessionDep, case_id: CaseId) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    return case_view(request, session, user, case_id, error=request.session.pop("flash_error", None))


def case_view(
    request: Request,
    session: SessionDep,
    user: User,
    case_id: int,
    status_code: int = 200,
    error: str | None = None,
    typed: dict[str, Any] | None = None,
) -> Response:
    """The case page as the user sees it now, with an error message and status when an action was refused."""
    actor = actor_of(request, session, user)
    try:
        here = cases.load(session, actor, case_id, visible=visible(session, actor))
    except ServiceError:
        return render(request, "not_found.html", 404, user=user)
    case, options, workflow = here.case, here.options(), here.workflow
    view = case_views.describe(session, here, today=clock(request).today())
    recorded = set() if actor.is_secretariat else set(Source.model_fields)  # only the secretariat names a source
    action_forms = {a.name: [f for f in forms.fields(a.requires) if f.name not in recorded] for a in workflow.actions}
    for option in options:
        if option.allowed and option.facts is not None:  # vote or consent only for organisations one may act for
            mine = tuple(sorted(option.facts.acting_for & option.facts.voters))
            action_forms[option.action.name] = [
                replace(f, kind="choice", choices=mine, required=True) if f.name == "organisation" and mine else f
                for f in action_forms[option.action.name]
            ]
    lang = language(request)
    action_forms = meeting_pickers.with_pickers(session, here, action_forms, clock(request).today(), lang)
    plan = session.get(Plan, case.plan_id) if case.plan_id else None
    board = session.get(Board, case.deciding_board_id) if case.deciding_board_id else None
    shown = shown_visibilities(session, actor, case)
    action_labels = {a.name: a.da if lang == "da" else a.en for a in workflow.actions}
    state_labels = {s.name: s.da if lang == "da" else s.en for s in workflow.states}
    history = case_history.history(session, case, shown=shown)
    votes = case_context.round_view(here, options)
    writing = open_deadline(session, case)
    hidden = case_context.hidden_actions(options, votes)
    if writing is not None and votes is not None and votes.mine_done:  # an organisation votes once in writing
        hidden |= {a.name for a in workflow.actions if a.collects}
    return render(
        request,
        "case.html",
        status_code,
        user=user,
        case=view,
        workflow=workflow,
        plan=plan,
        action_forms=action_forms,
        action_labels=action_labels,
        state_labels=state_labels,
        board=board,
        has_diagram=shutil.which("dot") is not None,
        history=history,
        labels=labels(),
        meeting_days=meeting_pickers.meeting_days(session, lang),
        error=error,
        is_secretariat=actor.is_secretariat,
        deadline_rules={d.name: rule_text(d) for d in workflow.deadlines},
        today=clock(request).today(),
        typed=typed or {},
        votes=votes,
        hidden=hidden,
        writing=writing,
        final={a.name for a in workflow.actions if case_context.irreversible(workflow, a)},
        names=case_context.full_names(session, {h.actor for h in history if h.actor}),
        default_rule=case_context.default_lbf_rule(here),
        areas=case_context.areas(session),
        area_names=case_context.area_names(session, lang),
        editing={a.name for a in workflow.actions if Effect.update_data in a.effects},
        collects={a.name for a in workflow.actions if a.collects},
        past_dates=forms.HAPPENED,
        thread=case_context.thread(session, actor, case),
        plain=lambda text: messages.plain(text, workflow, lang),
        sees_internal="internal" in shown,
        slip_text=lambda data: slip_text(data, lang),
        moves_check={"url": budget_editor.CHECK_URL, "case": case.id, "preview": False},
        editor=moves_editor(session, case, typed or {}, lang),
    )


def moves_editor(session: SessionDep, case: Case, typed: dict[str, Any], lang: str) -> budget_editor.Editor | None:
    """The budget-move editor's view of the draft's moves (or those just typed and refused), on the plan's budget."""
    if case.plan_id is None or "budget_moves" not in case.data:
        return None
    form = typed.get("form") or {}
    if form:
        typed_rows = [row for _, row in budget_editor.typed_rows(form)]  # shown again without the blank rows
        rows, total = list(enumerate(typed_rows)), budget_editor.total_of(form, case.data)
    else:
        rows, total = list(enumerate(case.data.get("budget_moves") or [])), bool(case.data.get("changes_total"))
    return budget_editor.editor(session, plan_id=case.plan_id, case_id=case.id, rows=rows, total=total, lang=lang)


def rule_text(deadline: Deadline) -> dict[str, str]:
    """How the deadline's due date is set, in both languages (the stored rule is for operators)."""
    if deadline.working_days is not None:
        return {"da": f"{deadline.working_days} arbejdsdage", "en": f"{deadline.working_days} working days"}
    if deadline.calendar_days is not None:
        return {"da": f"{deadline.calendar_days} kalenderdage", "en": f"{deadline.calendar_days} calendar days"}
    return {"da": "fastsat i sagen", "en": "set in the case"}


@router.get("/sager/{case_id}/forloeb.svg")
def case_diagram(request: Request, session: SessionDep, case_id: CaseId) -> Response:
    """The case type's diagram with the case's state highlighted (needs Graphviz on the server)."""
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    try:
        case = visible_case(session, actor_of(request, session, user), case_id)
        return Response(render_svg(dot(WORKFLOWS[case.case_type], current=case.state)), media_type="image/svg+xml")
    except ServiceError as refusal:
        return Response(status_code=refusal.status)
