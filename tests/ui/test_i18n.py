"""The gettext catalogues: every word in both languages, every key the templates use known, Danish formats."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.pofile import read_po

from service.ui.i18n import CHOICES, DEADLINES, FIELDS, LANGUAGES, amount, date_time, long_date, po_path, translator

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
