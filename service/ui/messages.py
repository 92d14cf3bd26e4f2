"""Validation messages a person can read: the field's label and what is wrong with it, in the page's language.

Pydantic's own messages are English and name fields by their keys ("data.title: String should have at least 1
character"); the form pages say "Titel skal udfyldes." instead.
"""

import re
from typing import Any

from pydantic import ValidationError

from service.errors import Invalid
from service.ui.i18n import FIELDS, translator
from workflows.spec import Workflow

# Pydantic error types -> (Danish, English) message templates; {ctx} keys come from the error's context.
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("skal udfyldes", "is required"),
    "string_too_short": ("skal udfyldes", "is required"),
    "string_too_long": ("er for lang (højst {max_length} tegn)", "is too long (at most {max_length} characters)"),
    "too_long": ("har for mange rækker (højst {max_length})", "has too many rows (at most {max_length})"),
    "int_parsing": ("skal være et helt tal, fx 50.000", "must be a whole number, e.g. 50,000"),
    "int_type": ("skal være et helt tal, fx 50.000", "must be a whole number, e.g. 50,000"),
    "greater_than": ("skal være større end {gt}", "must be greater than {gt}"),
    "greater_than_equal": ("skal være mindst {ge}", "must be at least {ge}"),
    "less_than_equal": ("må højst være {le}", "must be at most {le}"),
    "date_from_datetime_parsing": ("skal være en dato", "must be a date"),
    "date_parsing": ("skal være en dato", "must be a date"),
    "literal_error": ("skal være et af valgene", "must be one of the choices"),
    "enum": ("skal være et af valgene", "must be one of the choices"),
    "string_pattern_mismatch": ("skal vælges på listen", "must be chosen from the list"),
    "bool_parsing": ("skal være ja eller nej", "must be yes or no"),
    "extra_forbidden": ("hører ikke til her", "does not belong here"),
    "list_type": ("skal udfyldes som rækker", "must be given as rows"),
}
HALF_SIDE = ("er ikke udfyldt helt: vælg område, år og finansieringskilde", "is incomplete: choose area, year and funder")
NO_SIDE = ("skal have en »fra«-linje, en »til«-linje eller begge", "needs a 'from' line, a 'to' line or both")
FORM_FIELDS = {"title", "description", "comment", "expected_version"}
ROW = {"da": "række", "en": "row"}


def label(loc: tuple[int | str, ...], lang: str) -> str:
    """ "Budgetflytninger, række 2: Beløb (kr.)" for ("budget_moves", 1, "amount_dkk")."""
    t, parts = translator(lang), []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"{ROW[lang]} {part + 1}")
        elif part in FIELDS:
            parts.append(FIELDS[part][lang])
        elif part in FORM_FIELDS:
            parts.append(t(part))
    return ", ".join(parts) if parts else ("Formularen" if lang == "da" else "The form")


def one(error: Any, lang: str) -> str:
    loc = tuple(p for p in error["loc"] if p not in ("data", "form"))
    found = MESSAGES.get(error["type"])
    if found is None and error["type"] == "value_error":  # a budget move's own checks
        found = NO_SIDE if "or both" in error["msg"] else HALF_SIDE
    text = (found or ("er ugyldig", "is not valid"))[lang == "en"]
    ctx = error.get("ctx") or {}
    return f"{label(loc, lang)} {text.format(**ctx) if ctx else text}".strip()


def readable(error: ValidationError) -> Invalid:
    """The error as a 422 whose messages name fields by their labels, in Danish and English."""
    danish = " ".join(f"{one(e, 'da')}." for e in error.errors())
    english = " ".join(f"{one(e, 'en')}." for e in error.errors())
    fields = [{"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in error.errors()]
    return Invalid(english, fields, da=danish)


def plain(text: str | None, workflow: Workflow, lang: str) -> str:
    """An engine message as a person reads it: field keys become their labels ("change_description" ->
    »Beskrivelse af ændringen«) and quoted state keys the state's name (»Godkendt«)."""
    if not text:
        return ""
    for state in workflow.states:
        text = text.replace(f"'{state.name}'", f"»{state.da if lang == 'da' else state.en}«")
    return KEYS.sub(lambda m: f"»{FIELDS[m.group(0)][lang]}«" if m.group(0) in FIELDS else m.group(0), text)


KEYS = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")  # snake_case words only: plain words are never replaced
