"""The server-rendered web UI: session-cookie login with a CSRF token, the register in Danish or English."""

import secrets
from pathlib import Path as FilePath
from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from service import register, sessions
from service.cases.overdue import is_overdue
from service.deps import SessionDep, usable
from service.errors import NotFound, ServiceError
from service.login import authenticate
from service.persistence.db import write_transaction
from service.persistence.tables import User
from service.ui.i18n import LANGUAGES, amount, date_time, language, long_date, translator
from workflows.registry import WORKFLOWS
from workflows.schemas import MAX_ID

templates = Jinja2Templates(directory=FilePath(__file__).parent / "templates")
# Dates and amounts in the page's language, written out: 7. juni 2016, 1.234.567 kr.
templates.env.filters["dato"] = pass_context(lambda context, d: long_date(d, context["lang"]))
templates.env.filters["tid"] = pass_context(lambda context, t: date_time(t, context["lang"]))
templates.env.filters["kr"] = pass_context(lambda context, n: amount(n, context["lang"]))
templates.env.filters["kr_plain"] = lambda n: format_decimal(n, locale="da")  # an amount to edit: 50.000
templates.env.globals["is_overdue"] = is_overdue
router = APIRouter(include_in_schema=False)


def csrf_token(request: Request) -> str:
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(32)
    return str(request.session["csrf"])


def csrf_ok(request: Request, token: str) -> bool:
    return secrets.compare_digest(csrf_token(request), token)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    context |= {
        "t": translator(lang),
        "lang": lang,
        "csrf": csrf_token(request),
        "demo": request.app.state.demo,
        "flash": request.session.pop("flash", None),  # what the last action did, shown once
    }
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def ui_user(request: Request, session: SessionDep) -> User | None:
    """The logged-in user of a current session: same session generation, login within the session lifetime."""
    user_id = request.session.get("user_id")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not usable(user, demo=request.app.state.demo):
        return None
    hours = request.app.state.settings.session_hours
    return user if sessions.cookie_current(request.session, user, hours=hours) else None


def local_path(target: str) -> str:
    """A redirect target on this site only: never another host (`//evil.example`), else the front page."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", next=local_path(next))


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    t = translator(language(request))
    if not csrf_ok(request, csrf):
        return render(request, "login.html", 403, error=t("session_expired"), next="/")
    try:
        user = authenticate(request, session, username, password)
    except ServiceError as refusal:
        message = t("too_many_attempts") if refusal.status == 429 else t("login_failed")
        return render(request, "login.html", refusal.status, error=message, next=next, username=username)
    assert user is not None
    request.session.clear()  # a fresh session on login: no fixation
    fresh = sessions.cookie_values(user) | {"csrf": secrets.token_urlsafe(32)}
    request.session.update(fresh | {"lang": user.language if user.language in LANGUAGES else "da"})
    return RedirectResponse(local_path(next if next != "/" else "/opgaver"), status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep, csrf: Annotated[str, Form()]) -> Response:
    """Log out everywhere: the user's session generation moves on, so copies of this cookie and tokens stop working."""
    if csrf_ok(request, csrf):
        user = ui_user(request, session)
        if user is not None and user.id is not None:
            sessions.end_all_sessions(session, user_id=user.id)
        request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/sprog/{lang}")
def choose_language(request: Request, session: SessionDep, lang: str, back: str = "/") -> RedirectResponse:
    """The DA/EN switch: for this session, and on the account of a logged-in user (as "Min profil" does)."""
    if lang in LANGUAGES:
        request.session["lang"] = lang
        user = ui_user(request, session)
        if user is not None and user.language != lang:
            write_transaction(session)
            user.language = lang
            session.add(user)
            session.commit()
    return RedirectResponse(local_path(back), status_code=303)


@router.get("/")
def front_page(request: Request, session: SessionDep) -> Response:
    """The landing page is the user's tasks."""
    return RedirectResponse("/opgaver" if ui_user(request, session) else "/login?next=/", status_code=303)


@router.get("/planer")
def plans_page(request: Request, session: SessionDep) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    return render(request, "plans.html", user=user, plans=register.list_plans(session=session))


@router.get("/planer/{plan_id}")
def plan_page(request: Request, session: SessionDep, plan_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    try:
        plan = register.get_plan(session=session, plan_id=plan_id)
    except NotFound:
        return render(request, "not_found.html", 404, user=user)
    plan_case_types = [w for w in WORKFLOWS.values() if w.subject == "plan" and not w.yearly]
    return render(request, "plan.html", user=user, plan=plan, plan_case_types=plan_case_types)


@router.get("/bestyrelser")
def boards_page(request: Request, session: SessionDep) -> Response:
    user = ui_user(request, session)
    if user is None:
        return to_login(request)
    boards = [register.get_board(session=session, board_id=b.id) for b in register.list_boards(session=session)]
    return render(request, "boards.html", user=user, boards=boards)
