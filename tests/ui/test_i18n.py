"""The gettext catalogues: every word in both languages, every key the templates use known, Danish formats."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from pydantic import ValidationError

from service.ui.forms import amount as amount_typed
from service.ui.i18n import CHOICES, DEADLINES, FIELDS, LANGUAGES, amount, date_time, long_date, po_path, translator
from service.ui.messages import plain, readable
from workflows.case_types.change_request import ChangeRequestData
from workflows.registry import WORKFLOWS

TEMPLATES = Path(__file__).parents[2] / "service" / "ui" / "templates"
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_][a-z0-9_.]*)["']\s*[,)]""")


def catalogue(lang: str) -> dict[str, object]:
    with po_path(lang).open("rb") as po:
        return {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(po) if m.id}


def test_every_string_has_both_languages() -> None:
    danish, english = catalogue("da"), catalogue("en")
    assert danish.keys() == english.keys()
    for lang, words in (("da", danish), ("en", english)):
        empty = [key for key, text in words.items() if not (all(text) if isinstance(text, tuple) else text)]
        assert empty == [], f"untranslated in {lang}: {empty}"
    for table in (FIELDS, CHOICES, DEADLINES):
        assert [k for k, v in table.items() if set(v) != set(LANGUAGES) or not all(v.values())] == []


def test_every_key_a_template_names_is_in_the_catalogue() -> None:
    known = catalogue("da").keys() | {f"field.{k}" for k in FIELDS} | {f"choice.{k}" for k in CHOICES} | DEADLINES.keys()
    used = {key for path in TEMPLATES.glob("*.html") for key in LITERAL_KEY.findall(path.read_text())}
    assert sorted(used - known) == []


def test_plurals_dates_and_amounts_the_danish_way() -> None:
    t = translator("da")
    assert (t("case_count", n=1), t("case_count", n=2)) == ("1 sag", "2 sager")
    assert translator("en")("case_count", n=1) == "1 case"
    assert long_date(date(2016, 6, 7), "da") == "7. juni 2016"
    assert date_time(datetime(2016, 6, 7, 12, 5, tzinfo=UTC), "da") == "7. juni 2016 14.05"
    assert amount(1234567, "da") == "1.234.567 kr."
    assert long_date(date(2016, 6, 7), "en") == "7 June 2016"


def test_engine_messages_name_fields_and_states_in_danish() -> None:
    workflow = WORKFLOWS["change_request"]
    said = plain("skal have en change_description; medmindre changes_total er sat, i tilstanden 'approved'", workflow, "da")
    assert said == "skal have en »Beskrivelse af ændringen«; medmindre »Ændrer totalen« er sat, i tilstanden »Godkendt«"


def test_validation_messages_use_labels_not_keys() -> None:
    moves = [{"from_area": "UB", "amount_dkk": "x"}, {"from_area": "UB", "amount_dkk": 5}]
    with pytest.raises(ValidationError) as caught:
        ChangeRequestData.model_validate({"kind": "economic", "budget_moves": moves})
    assert readable(caught.value).detail_da == (
        "Budgetflytninger, række 1, Beløb (kr.) skal være et helt tal, fx 50.000. "
        "Budgetflytninger, række 2 er ikke udfyldt helt: vælg område, år og finansieringskilde."
    )


def test_amounts_typed_the_danish_way() -> None:
    assert [amount_typed(raw) for raw in ("50.000", "50.000 kr.", "50000", "1.234.567,00")] == [50000, 50000, 50000, 1234567]
    assert amount_typed("12,5") == "12,5"  # left for the schema to refuse by name
