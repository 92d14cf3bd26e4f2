"""The demo register's example cases (copenhagen-2016.yaml, `example_cases`), played through the real engine.

Every case reaches its state by the actions the right people would take, on a simulated 2016 clock that respects
the meeting calendar's agenda cut-offs, so the history, deadlines and dashboards look like a year of real work.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import Session, select

from service.authz import Actor, load_actor
from service.cases import apply_action, open_case
from service.demo.story import play_story
from service.persistence.db import demo_clock, read_state, write_state
from service.persistence.tables import Board, Meeting, Plan, User
from workflows import calendar

LOCAL = calendar.LOCAL
MARKER = "demo_history"


@dataclass(frozen=True)
class Opening:
    case_type: str
    subject: str  # plan code, or board code for a charter
    title: str
    by: str
    on: str
    data: dict[str, Any]


Step = tuple[str, str, str, dict[str, Any] | None]  # (date, username, action, data); data may name a meeting


def move(amount: int, from_: tuple[str, int], to: tuple[str, int], funder: str = "LBF") -> dict[str, Any]:
    return {
        "from_area": from_[0],
        "from_year": from_[1],
        "from_funder": funder,
        "to_area": to[0],
        "to_year": to[1],
        "to_funder": funder,
        "amount_dkk": amount,
    }


def meeting(board: str, on: str) -> dict[str, Any]:
    return {"meeting": (board, on)}


def votes(on: str, **by: str) -> list[Step]:
    """Each party's vote, cast by the member who sits for it: {"eva.holm": "FSB", ...}."""
    return [(on, user, "vote", {"organisation": org, "vote": "approve"}) for user, org in by.items()]


EXAMPLES: list[tuple[Opening, list[Step]]] = [
    (
        Opening(
            "charter",
            "BB-D1",
            "Kommissorium og forretningsorden for Bydelsbestyrelse Amager",
            "camilla.juhl",
            "2016-03-01",
            {"decision_rule": "unanimity", "summary": "Bydelsbestyrelsens kommissorium 2016"},
        ),
        [
            ("2016-04-01", "camilla.juhl", "submit_to_central_board", None),
            ("2016-05-02", "camilla.juhl", "schedule", meeting("CENTRAL", "2016-05-26")),
            ("2016-05-26", "camilla.juhl", "approve", None),
            ("2016-05-30", "camilla.juhl", "send_to_lbf", None),
            ("2016-08-25", "camilla.juhl", "record_lbf_approval", {"lbf_reference": "LBF 2016-1187"}),
            ("2016-08-26", "camilla.juhl", "put_in_force", None),
        ],
    ),
    (
        Opening(
            "change_request",
            "HP-10",
            "Lektiecafé et år tidligere",
            "sara.norgaard",
            "2016-02-01",
            {
                "kind": "economic",
                "change_description": "Flyt 150.000 kr. inden for UB fra 2017 til 2016",
                "budget_moves": [move(150_000, ("UB", 2017), ("UB", 2016))],
            },
        ),
        [
            ("2016-02-02", "sara.norgaard", "submit", None),
            ("2016-02-04", "sara.bech", "start_screening", None),
            ("2016-02-15", "sara.bech", "mark_ready", {}),
            ("2016-02-16", "sara.bech", "schedule", meeting("BB-D5", "2016-03-16")),
            *votes("2016-03-16", **{"eva.holm": "FSB", "bo.iversen": "AAB"}),
            ("2016-03-16", "sara.bech", "approve", None),
            ("2016-03-21", "sara.bech", "implement", None),
            ("2016-03-22", "sara.bech", "close", None),
        ],
    ),
    (
        Opening(
            "change_request",
            "HP-02",
            "Mere forældreansvar, mindre kriminalprævention",
            "ida.lauritsen",
            "2016-04-04",
            {
                "kind": "economic",
                "change_description": "Flyt 300.000 kr. fra KP til FF i 2017",
                "budget_moves": [move(300_000, ("KP", 2017), ("FF", 2017))],
            },
        ),
        [
            ("2016-04-05", "ida.lauritsen", "submit", None),
            ("2016-04-07", "jakob.vinther", "start_screening", None),
            ("2016-04-18", "jakob.vinther", "mark_ready", {}),
            ("2016-05-02", "jakob.vinther", "schedule", meeting("BB-D1", "2016-06-07")),
            *votes(
                "2016-06-07",
                **{"ali.demir": "VIBO", "signe.krogh": "DFB", "bo.iversen": "AAB", "eva.holm": "FSB", "kim.aagaard": "HAB"},
            ),
            ("2016-06-07", "jakob.vinther", "approve", None),
            ("2016-06-10", "jakob.vinther", "send_to_lbf", None),
        ],
    ),
    (
        Opening(
            "change_request",
            "HP-09",
            "Lektiecafé i stedet for ungdomsklub",
            "emil.bruun",
            "2016-08-01",
            {"kind": "content", "change_description": "Erstat ungdomsklubbens aftenåbning med en lektiecafé"},
        ),
        [
            ("2016-08-02", "emil.bruun", "submit", None),
            ("2016-08-04", "sara.bech", "start_screening", None),
            ("2016-08-15", "sara.bech", "mark_ready", {}),
            ("2016-08-22", "sara.bech", "schedule", meeting("BB-D5", "2016-09-14")),
            *votes("2016-09-14", **{"eva.holm": "FSB", "niels.ravn": "SAB"}),
            ("2016-09-14", "sara.bech", "approve", None),
        ],
    ),
    (
        Opening(
            "strategic_agreement_change",
            "HP-05",
            "Ny delaftale med BUF om forældreansvar",
            "freja.dahl",
            "2016-04-11",
            {"change_description": "Ny delaftale med Børne- og Ungdomsforvaltningen inden for FF"},
        ),
        [
            ("2016-04-12", "freja.dahl", "submit", None),
            ("2016-04-14", "jakob.vinther", "start_screening", None),
            ("2016-04-25", "jakob.vinther", "mark_ready", None),
            ("2016-05-09", "jakob.vinther", "schedule", meeting("BB-D2", "2016-06-08")),
            *votes("2016-06-08", **{"maja.storm": "LEJERBO", "ali.demir": "VIBO", "henrik.bay": "KK"}),
            ("2016-06-08", "jakob.vinther", "approve", None),
            ("2016-06-13", "jakob.vinther", "inform_central_board", None),
        ],
    ),
    (
        Opening(
            "competence_transfer",
            "HP-03",
            "Bo-Vita flytter HP-03 til Boligsocial Bestyrelse",
            "anders.friis",
            "2016-09-01",
            {"direction": "to_central"},
        ),
        [
            ("2016-09-02", "anders.friis", "consent", {"organisation": "BOVITA"}),
            ("2016-09-05", "camilla.juhl", "confirm_consents", None),
            ("2016-10-03", "camilla.juhl", "schedule", meeting("CENTRAL", "2016-11-24")),
            ("2016-11-24", "camilla.juhl", "accept", None),
            ("2016-11-28", "camilla.juhl", "make_effective", None),
        ],
    ),
    (
        Opening(
            "lbf_submission",
            "HP-04",
            "Reguleringskontoopgørelse 2015",
            "sara.bech",
            "2016-01-15",
            {"report": "regulation_account", "period": "2015", "due_date": "2016-06-30"},
        ),
        [
            ("2016-05-02", "emil.bruun", "start_preparation", None),
            ("2016-06-20", "gustav.lind", "approve_submission", {"organisation": "FSB"}),
            ("2016-06-24", "gustav.lind", "submit_to_lbf", None),
        ],
    ),
    (
        Opening(
            "change_request",
            "HP-13",
            "Nyt fritidsjob-forløb",
            "asta.moe",
            "2016-08-15",
            {"kind": "content", "change_description": "Fritidsjob-forløb for unge i stedet for netværksgrupper"},
        ),
        [
            ("2016-08-16", "asta.moe", "submit", None),
            ("2016-08-18", "sara.bech", "start_screening", None),
            ("2016-08-29", "sara.bech", "mark_ready", {}),
            ("2016-11-07", "sara.bech", "schedule", meeting("BB-D4", "2016-12-06")),
            ("2016-12-06", "sara.bech", "send_back", None),
        ],
    ),
    (
        Opening(
            "change_request",
            "HP-10",
            "Åbent værksted om lørdagen",
            "sara.norgaard",
            "2016-11-21",
            {"kind": "content", "change_description": "Værkstedet holder åbent lørdag i stedet for fredag aften"},
        ),
        [
            ("2016-11-22", "sara.norgaard", "submit", None),
            ("2016-11-24", "sara.bech", "start_screening", None),
            ("2016-12-05", "sara.bech", "mark_ready", {}),
            ("2016-12-07", "sara.bech", "schedule", {"written_procedure": True}),  # reply by 14 December
            *votes("2016-12-09", **{"eva.holm": "FSB"}),  # AAB's vote is what the round waits for
        ],
    ),
]


def at(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(10, 0), LOCAL).astimezone(UTC)


class _Player:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.actors: dict[str, Actor] = {}

    def actor(self, username: str) -> Actor:
        if username not in self.actors:
            user = self.session.exec(select(User).where(User.username == username)).one()
            self.actors[username] = load_actor(self.session, user)
        return self.actors[username]

    def data(self, data: dict[str, Any] | None) -> dict[str, Any] | None:
        if data is None or "meeting" not in data:
            return data
        board, day = data["meeting"]
        meetings = self.session.exec(select(Meeting).join(Board).where(Board.code == board)).all()
        found = next(m for m in meetings if m.starts_at.astimezone(LOCAL).date() == date.fromisoformat(day))
        return {"meeting_id": found.id}

    def play(self, opening: Opening, steps: list[Step]) -> None:
        board = self.session.exec(select(Board).where(Board.code == opening.subject)).first()
        plan = self.session.exec(select(Plan).where(Plan.code == opening.subject)).first()
        case = open_case(
            session=self.session,
            actor=self.actor(opening.by),
            case_type=opening.case_type,
            title=opening.title,
            plan_id=plan.id if plan else None,
            board_id=board.id if board else None,
            data=opening.data,
            now=at(opening.on),
        )
        for day, username, action, data in steps:
            case = apply_action(
                session=self.session,
                actor=self.actor(username),
                case_id=case.id or 0,
                action=action,
                expected_version=case.version,
                data=self.data(data),
                now=at(day),
            ).case


def play_history(session: Session) -> str:
    """Play the example cases once; a second call changes nothing."""
    if read_state(session, MARKER) is not None:
        return "The demo case histories are already there; nothing changed."
    player = _Player(session)
    for opening, steps in EXAMPLES:
        player.play(opening, steps)
    story = play_story(session, until=demo_clock(session).now())  # the dashboards' 2015–2016 history
    write_state(session, MARKER, "played")
    session.commit()
    return f"Played {len(EXAMPLES)} demo case histories from 2016 through the workflow engine.\n{story}"
