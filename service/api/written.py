"""Written procedure over HTTP: the cases members vote on between meetings, their votes and advisory statements."""

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from service.deps import ActorDep, ClockDep, SessionDep
from service.meetings import written
from service.meetings.schemas import ProcedurePublic, WrittenStatement, WrittenVote
from service.persistence.case_tables import Case
from workflows.schemas import MAX_ID
from workflows.spec import Outcome

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "Not logged in"}}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {"description": "You represent no party organisation of the plan, or not the one named"},
    404: {"description": "No such case that you can see"},
    409: {"description": "Not in written procedure (closed), past its deadline, or the organisation has voted"},
    422: {"description": "Invalid input; the errors name each field"},
}

router = APIRouter(tags=["meetings"], responses=ERRORS)


class Voted(BaseModel):
    """The case after a written vote: still in written procedure, or decided by this vote completing the round."""

    case_id: int
    state: str
    version: int
    outcome: Outcome | None = Field(description="The round's outcome when this vote was the last one, else null")
    procedure: ProcedurePublic | None = Field(description="The written procedure as it stands, null once closed")


def _one(session: SessionDep, actor: ActorDep, clock: ClockDep, case_id: int) -> ProcedurePublic | None:
    session.expire_all()
    return next((p for p in written.procedures(session, actor, clock.now()) if p.case_id == case_id), None)


@router.get("/written-procedures", response_model=list[ProcedurePublic])
def list_written_procedures(actor: ActorDep, session: SessionDep, clock: ClockDep) -> list[ProcedurePublic]:
    """The cases in written procedure on your boards (every board for the secretariat): the indstilling, the
    deadline, the votes and statements so far, and which organisations you may still vote for."""
    return written.procedures(session, actor, clock.now())


@router.post("/written-procedures/{case_id}/votes", response_model=Voted, responses=WRITE_ERRORS)
def vote_in_writing(case_id: Id, body: WrittenVote, actor: ActorDep, session: SessionDep, clock: ClockDep) -> Voted:
    """Your organisation's vote, once per round, through the case's vote action; the last party's vote closes the
    round in the same transaction and applies the outcome the board's decision rule gives."""
    outcome = written.cast_vote(session=session, actor=actor, case_id=case_id, body=body, now=clock.now())
    case = session.get(Case, case_id)
    assert case is not None
    session.refresh(case)
    return Voted(
        case_id=case_id,
        state=case.state,
        version=case.version,
        outcome=outcome,
        procedure=_one(session, actor, clock, case_id),
    )


@router.post("/written-procedures/{case_id}/statements", response_model=ProcedurePublic, responses=WRITE_ERRORS)
def state_in_writing(
    case_id: Id, body: WrittenStatement, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> ProcedurePublic:
    """An advisory statement beside the votes (City members of the deciding board), through the case's action."""
    written.give_statement(session=session, actor=actor, case_id=case_id, body=body, now=clock.now())
    found = _one(session, actor, clock, case_id)
    assert found is not None
    return found
