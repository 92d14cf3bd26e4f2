"""A yes/no field that may be left empty says what empty means in its form: the LBF question follows the default
rule, a draft's edit keeps the stored value, anything else is not stated; the stored value is chosen when editing."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.ui.forms import FormField
from service.ui.i18n import translator
from service.ui.views import templates
from tests.builders import plan_id
from tests.service.test_sessions import ui_login


def options(html: str, select_id: str) -> list[tuple[str, bool]]:
    """The select's options as (text, selected)."""
    found = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found is not None, select_id
    return [
        (" ".join(text.split()), "selected" in attrs)
        for attrs, text in re.findall(r"<option([^>]*)>(.*?)</option>", found.group(1), re.S)
    ]


def test_a_drafts_edit_keeps_the_stored_value_when_left_empty(app, client: TestClient, auth, session: Session) -> None:
    data = {"kind": "content", "change_description": "Lektiecafé", "changes_total": True}
    body = {
        "case_type": "change_request",
        "plan_id": plan_id(session, "HP-10"),
        "title": "Kladde (tom valgmulighed)",
        "data": data,
    }
    case = client.post("/api/v1/cases", json=body, headers=auth("sara.norgaard")).json()
    with TestClient(app) as browser:
        ui_login(browser, "sara.norgaard")
        danish = browser.get(f"/sager/{case['id']}").text
        browser.get(f"/sprog/en?back=/sager/{case['id']}")
        try:
            english = browser.get(f"/sager/{case['id']}").text
        finally:  # the choice is kept on the account, which the other tests share
            browser.get(f"/sprog/da?back=/sager/{case['id']}")
    assert options(danish, "edit-changes_total") == [("Uændret", False), ("Ja", True), ("Nej", False)]
    assert options(english, "edit-changes_total") == [("Unchanged", False), ("Yes", True), ("No", False)]


def test_elsewhere_an_empty_yes_or_no_is_not_stated_and_only_the_lbf_question_has_a_default_rule() -> None:
    field = templates.env.get_template("_field.html")
    for lang, blank, rule in (("da", "Ikke angivet", "Efter standardreglen"), ("en", "Not stated", "By the default rule")):
        t = translator(lang)
        public = FormField("public", "tristate", "public", False)
        assert options(field.render(f=public, t=t, prefix="x", value=None), "x-public")[0] == (blank, False)
        lbf = FormField("lbf_approval_needed", "tristate", "lbf", False)
        html = field.render(f=lbf, t=t, prefix="x", value=None, keeps_stored=True)
        assert options(html, "x-lbf_approval_needed")[0] == (rule, False)
        assert options(field.render(f=public, t=t, prefix="x", value="false"), "x-public")[2] == (t("no"), True)
