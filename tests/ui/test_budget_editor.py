"""The budget-move editor on the server (both databases): what a chosen line has available, the budget before and
after, and moves that cannot be made refused in the same Danish words as they are typed and when the form is sent,
with nothing stored."""

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.cases import budget as plan_budget
from tests.builders import budget, plan_id
from tests.service.test_sessions import ui_login

CHECK = "/sager/budgetflytninger"
SOURCE, TARGET = ("UB", 2018, "LBF"), ("TT", 2018, "LBF")


def kr(amount: int) -> str:
    return f"{amount:,} kr.".replace(",", ".")


def row(index: int, amount: str, source: tuple | None = SOURCE, target: tuple | None = TARGET) -> dict[str, str]:
    fields = {f"data.budget_moves.{index}.amount_dkk": amount}
    for side, line in (("from", source), ("to", target)):
        if line:
            for part, value in zip(("area", "year", "funder"), line, strict=True):
                fields[f"data.budget_moves.{index}.{side}_{part}"] = str(value)
    return fields


def free(session: Session, line: tuple) -> int:
    return plan_budget.available(session, plan_id=plan_id(session, "HP-10"), case_id=None)[line]


def new_case_form(session: Session, csrf: str, title: str, moves: dict[str, str], **extra: str) -> dict[str, str]:
    form = {
        "csrf": csrf,
        "case_type": "change_request",
        "form_token": title,
        "subject": str(plan_id(session, "HP-10")),
        "title": title,
        "data.kind": "economic",
        "data.change_description": "Flyt penge",
    }
    return form | moves | extra


def opened(client: TestClient, auth, session: Session, title: str) -> list[Any]:
    query = {"plan_id": plan_id(session, "HP-10"), "limit": 200}
    found = client.get("/api/v1/cases", params=query, headers=auth("sara.norgaard")).json()
    return [c for c in found["items"] if c["title"] == title]


def test_the_check_shows_what_a_line_has_and_the_budget_before_and_after(app, session: Session) -> None:
    held = budget(session, "HP-10")
    with TestClient(app) as browser:
        ui_login(browser, "sara.norgaard")
        answer = browser.get(CHECK, params={"subject": plan_id(session, "HP-10")} | row(0, "50.000 kr.")).json()
    assert answer["available"] == {
        "0.from": f"Til rådighed på linjen: {kr(free(session, SOURCE))}",
        "0.to": f"Til rådighed på linjen: {kr(free(session, TARGET))}",
    }
    assert answer["message"] == "" and answer["row"] is None
    preview = answer["preview"]
    assert "Budgettet før og efter flytningerne" in preview
    ub = re.search(r"UB Uddannelse og beskæftigelse 2018 \(LBF\)</th></tr>\s*<tr>(.*?)</tr>", preview)
    assert ub is not None
    cells = re.findall(r'<td class="num">([^<]*)</td>', ub.group(1))
    assert cells == [kr(held[SOURCE]), f"-{kr(50_000)}", kr(held[SOURCE] - 50_000)]
    tt = re.search(r"TT Tryghed og trivsel 2018 \(LBF\)</th></tr>\s*<tr>(.*?)</tr>", preview)
    assert tt is not None
    assert re.findall(r'<td class="num">([^<]*)</td>', tt.group(1)) == [
        kr(held[TARGET]),
        f"+{kr(50_000)}",
        kr(held[TARGET] + 50_000),
    ]


def test_an_impossible_or_unbalanced_move_is_named_as_it_is_typed(app, session: Session) -> None:
    plan = {"subject": plan_id(session, "HP-10")}
    too_much = free(session, SOURCE) + 1
    with TestClient(app) as browser:
        ui_login(browser, "sara.norgaard")
        answer = browser.get(CHECK, params=plan | row(2, kr_plain(too_much))).json()
        assert answer["message"] == (
            f"Der er kun {kr(free(session, SOURCE))} til rådighed på UB Uddannelse og beskæftigelse 2018 (LBF); "
            f"flytningerne tager {kr(too_much)}"
        )
        assert answer["row"] == 2  # the form's row, for the script to mark
        one_sided = plan | row(0, "50.000", target=None) | row(1, "38.000", source=None)
        answer = browser.get(CHECK, params=one_sided).json()
        assert answer["message"] == (
            "Flytningerne er ikke i balance: der mangler 12.000 kr. på en til-linje. "
            "Sæt kryds ved »Ændrer totalen«, hvis planens samlede budget skal ændres."
        )
        assert browser.get(CHECK, params=one_sided | {"data.changes_total": "on"}).json()["message"] == ""
        typing = browser.get(CHECK, params=plan | row(0, "12,5")).json()
        assert typing["message"] == "Budgetflytninger, række 1, Beløb (kr.) skal være et helt tal, fx 50.000."
        half = {k: v for k, v in row(0, "").items() if not k.endswith("amount_dkk")}
        assert browser.get(CHECK, params=plan | half).json()["message"] == ""  # a row still being typed is not judged
        browser.cookies.clear()
        assert browser.get(CHECK, params=plan | row(0, "1")).status_code == 401


def kr_plain(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def test_the_form_is_refused_in_the_same_words_and_nothing_is_stored(app, client: TestClient, auth, session) -> None:
    too_much = free(session, SOURCE) + 1
    with TestClient(app) as browser:
        csrf = ui_login(browser, "sara.norgaard")
        title = "Flyt for meget (editor)"
        refused = browser.post("/sager/ny", data=new_case_form(session, csrf, title, row(0, kr_plain(too_much))))
        assert refused.status_code == 422
        alert = re.search(r'<p class="error" role="alert">([^<]*)</p>', refused.text)
        assert alert is not None and alert.group(1) == (
            f"Der er kun {kr(free(session, SOURCE))} til rådighed på UB Uddannelse og beskæftigelse 2018 (LBF); "
            f"flytningerne tager {kr(too_much)}"
        )
        assert f'value="{kr_plain(too_much)}"' in refused.text  # what was typed is kept
        assert "Til rådighed på linjen" in refused.text and "Budgettet før og efter" in refused.text
        unbalanced = new_case_form(session, csrf, title, row(0, "12.000", target=None))
        refused = browser.post("/sager/ny", data=unbalanced)
        assert refused.status_code == 422
        assert "Flytningerne er ikke i balance: der mangler 12.000 kr. på en til-linje." in refused.text
        shown = browser.post("/sager/ny", data=unbalanced | {"preview": "1"})  # without the script: see, not store
        assert shown.status_code == 200 and "Budgettet før og efter flytningerne" in shown.text
        assert opened(client, auth, session, title) == []
        fine = browser.post("/sager/ny", data=unbalanced | {"data.changes_total": "on"}, follow_redirects=False)
        assert fine.status_code == 303
    assert len(opened(client, auth, session, title)) == 1


def test_editing_a_draft_checks_its_moves_in_the_same_words(app, client: TestClient, auth, session) -> None:
    title = "Kladde med flytning (editor)"
    move = {"from_area": "UB", "from_year": 2018, "from_funder": "LBF", "to_area": "TT", "to_year": 2018}
    data = {"kind": "economic", "change_description": "x", "budget_moves": [move | {"to_funder": "LBF", "amount_dkk": 1}]}
    body = {"case_type": "change_request", "plan_id": plan_id(session, "HP-10"), "title": title, "data": data}
    case = client.post("/api/v1/cases", json=body, headers=auth("sara.norgaard")).json()
    too_much = free(session, SOURCE) + 1
    with TestClient(app) as browser:
        csrf = ui_login(browser, "sara.norgaard")
        page = browser.get(f"/sager/{case['id']}").text
        assert f"Til rådighed på linjen: {kr(free(session, SOURCE))}" in page  # the stored row's line, on load
        assert f'data-case="{case["id"]}"' in page
        edit = {"csrf": csrf, "version": str(case["version"])} | row(0, kr_plain(too_much))
        refused = browser.post(f"/sager/{case['id']}/handling/edit", data=edit)
        assert refused.status_code == 422
        assert f"Der er kun {kr(free(session, SOURCE))} til rådighed på UB" in refused.text
        assert f'value="{kr_plain(too_much)}"' in refused.text  # the typed amount is shown again
        answer = browser.get(CHECK, params={"case": case["id"]} | row(0, kr_plain(too_much))).json()
        assert answer["message"].startswith(f"Der er kun {kr(free(session, SOURCE))} til rådighed")
        assert browser.get(CHECK, params={"case": 2**30} | row(0, "1")).status_code == 404
    stored = client.get(f"/api/v1/cases/{case['id']}", headers=auth("sara.norgaard")).json()
    assert stored["version"] == case["version"] and stored["data"]["budget_moves"][0]["amount_dkk"] == 1
