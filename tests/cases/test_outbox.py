"""Who a notification reaches: each declared audience resolved from the register (domain.md §3.1)."""

from datetime import date

import pytest
from sqlmodel import Session

from service.cases import situation
from service.notify.people import AUDIENCES
from service.notify.people import audience as resolve
from service.persistence.tables import User
from tests.builders import actor, open_
from workflows.spec import Audience

DEMO_TODAY = date(2016, 12, 12)


def usernames(users: list[User]) -> set[str]:
    return {u.username for u in users}


def test_every_declared_audience_has_a_resolver() -> None:
    assert set(AUDIENCES) == set(Audience)


@pytest.mark.parametrize(
    ("audience", "includes", "excludes"),
    [
        # HP-10's parties are FSB and AAB: their officers and board representatives, not every employee
        (
            Audience.parties,
            {"gustav.lind", "ella.kvist", "eva.holm", "bo.iversen", "karen.lindholt"},
            {"sara.norgaard", "emil.bruun", "henrik.bay", "niels.ravn"},
        ),
        (Audience.project_leaders, {"sara.norgaard"}, {"emil.bruun"}),
        (Audience.deciding_board, {"eva.holm", "bo.iversen", "henrik.bay", "sara.bech"}, {"lene.kruse"}),
        (Audience.local_group, {"hassan.omar", "sara.norgaard"}, {"eva.holm"}),
        (Audience.secretariat, {"camilla.juhl", "jakob.vinther", "sara.bech"}, {"eva.holm"}),
        (Audience.applicant, {"sara.norgaard"}, {"sara.bech"}),
    ],
)
def test_an_audience_names_the_people_the_register_says(
    session: Session, audience: Audience, includes: set[str], excludes: set[str]
) -> None:
    case = open_(session, "change_request", by="sara.norgaard", data={"kind": "content", "change_description": "x"})
    here = situation(session, case, actor(session, "sara.bech"))
    people = usernames(resolve(session, audience, here.case, here.setting, DEMO_TODAY))
    assert includes <= people and not excludes & people


def test_every_declared_effect_has_an_implementation() -> None:
    from service.cases.effects import IMPLEMENTED
    from workflows.spec import Effect

    assert set(IMPLEMENTED) == set(Effect)
