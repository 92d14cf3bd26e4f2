"""The UI's words: gettext catalogues (service/ui/locale/<lang>/LC_MESSAGES/messages.po), Danish by default.

The .po files are read with Babel at import and compiled in memory, so a fresh clone needs no compile step and
no .mo file is ever stale. Message ids are stable keys (`t("login")`); the labels of data fields and their choices
stay beside the fields, in the case-type declarations (workflows/labels.py).
"""

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from fastapi import Request

from workflows import calendar
from workflows.labels import DERIVED_FIELDS, choice_labels, field_labels
from workflows.registry import WORKFLOWS

LANGUAGES = ("da", "en")
LOCALE_DIR = Path(__file__).parent / "locale"

_SCHEMAS = {s for w in WORKFLOWS.values() for s in (w.data_schema, *(a.requires for a in w.actions)) if s is not None}
FIELDS: dict[str, dict[str, str]] = field_labels(_SCHEMAS) | DERIVED_FIELDS
CHOICES: dict[str, dict[str, str]] = choice_labels(_SCHEMAS)
# Deadline names are declared with the deadlines, in the case types.
DEADLINES = {f"deadline.{d.name}": {"da": d.da, "en": d.en} for w in WORKFLOWS.values() for d in w.deadlines}
# Fields of deadline changes as the history shows them.
FIELDS |= {
    "deadline": {"da": "Frist", "en": "Deadline"},
    "reason": {"da": "Begrundelse", "en": "Reason"},
    "due_on": {"da": "Ny frist", "en": "New due date"},
    "was_due_on": {"da": "Tidligere frist", "en": "Was due"},
}


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@cache
def catalogue(lang: str) -> Translations:
    """The language's .po file, compiled in memory."""
    with po_path(lang).open("rb") as po:
        messages = read_po(po, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, messages)
    compiled.seek(0)
    return Translations(compiled)


def language(request: Request) -> str:
    """The language chosen in this session (from the user's account at login, or the DA/EN switch), else Danish.

    The browser's Accept-Language is ignored on purpose: the users are Copenhagen's caseworkers."""
    chosen = request.session.get("lang")
    return str(chosen) if chosen in LANGUAGES else "da"


def translator(lang: str) -> Callable[..., str]:
    """`t(key)` for UI words, `t(key, n=3)` for a plural ("3 sager"); `t("field.kind")` and `t("choice.economic")`
    for schema fields and their values; an unknown key is shown as itself (a test keeps them known)."""
    words = catalogue(lang)

    def t(key: str, n: int | None = None) -> str:
        group, _, name = key.partition(".")
        table = {"field": FIELDS, "choice": CHOICES}.get(group)
        if table is not None and name in table:
            return table[name][lang]
        if key in DEADLINES:
            return DEADLINES[key][lang]
        if n is not None:
            return words.ngettext(key, key, n).format(n=format_decimal(n, locale=lang))
        found = words.gettext(key)
        return name if found == key and table is not None else found

    return t


def long_date(value: date | datetime | None, lang: str) -> str:
    """A date written out: 7. juni 2016 (Danish), 7 June 2016 (English)."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(calendar.LOCAL).date()
    return format_date(value, format="d. MMMM y" if lang == "da" else "d MMMM y", locale=lang)


def date_time(value: datetime | None, lang: str) -> str:
    """A moment in local time: 7. juni 2016 14.05."""
    if value is None:
        return "–"
    pattern = "d. MMMM y HH.mm" if lang == "da" else "d MMMM y HH:mm"
    return format_datetime(value, pattern, tzinfo=calendar.LOCAL, locale=lang)


def amount(value: int | float | None, lang: str) -> str:
    """An amount of money: 1.234.567 kr. (Danish), DKK 1,234,567 (English)."""
    if value is None:
        return "–"
    number = format_decimal(value, locale=lang)
    return f"{number} kr." if lang == "da" else f"DKK {number}"
