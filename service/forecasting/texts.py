"""A slip and a forecast's chain as people read them, in Danish and English: "Nåede ikke mødet 7. juni 2016: +13 uger",
"Bydelsbestyrelse Amager 7. jun. 2016 → LBF ca. 12. sep. 2016". The history event keeps the Danish sentence as its
comment; the case page writes it in the reader's language from the event's data."""

from datetime import date
from typing import Any

from babel.dates import format_date

SENTENCES = {
    "missed": ("Nåede ikke mødet {meeting}", "Missed the meeting on {meeting}"),
    "moved": ("Mødet {meeting} blev flyttet til {moved_to}", "The meeting on {meeting} was moved to {moved_to}"),
    "cancelled": ("Mødet {meeting} blev aflyst", "The meeting on {meeting} was cancelled"),
}
UNITS = {"da": (("dag", "dage"), ("uge", "uger")), "en": (("day", "days"), ("week", "weeks"))}
LBF = {"da": "LBF ca.", "en": "LBF c."}
WRITTEN = {"da": "skriftlig behandling", "en": "written procedure"}


def long_day(day: date, lang: str) -> str:
    return format_date(day, format="d. MMMM y" if lang == "da" else "d MMMM y", locale=lang)


def short_day(day: date, lang: str) -> str:
    return format_date(day, format="d. MMM y" if lang == "da" else "d MMM y", locale=lang)


def shift(days: int, lang: str) -> str:
    """+13 uger, +4 dage: whole weeks from two weeks on (or an exact number of weeks), else days."""
    (day, days_), (week, weeks) = UNITS[lang]
    if days % 7 == 0 or abs(days) >= 14:
        n = round(days / 7)
        return f"{n:+d} {week if abs(n) == 1 else weeks}"
    return f"{days:+d} {day if abs(days) == 1 else days_}"


def slip_text(data: dict[str, Any], lang: str) -> str:
    """The slip as a sentence with the shift of the expected decision."""
    da, en = SENTENCES.get(data.get("reason", ""), SENTENCES["missed"])
    moved_to = data.get("moved_to")
    words = (da if lang == "da" else en).format(
        meeting=long_day(date.fromisoformat(data["meeting_on"]), lang),
        moved_to=long_day(date.fromisoformat(moved_to), lang) if moved_to else "",
    )
    return f"{words}: {shift(int(data['days']), lang)}"


def chain_text(steps: list[tuple[str, str | None, date]], lang: str) -> str:
    """The steps to the decision: (kind, the board's name or None for LBF, day), joined by arrows."""
    parts = []
    for kind, name, day in steps:
        if name is None:
            parts.append(f"{LBF[lang]} {short_day(day, lang)}")
        elif kind == "written":
            parts.append(f"{name}, {WRITTEN[lang]} {short_day(day, lang)}")
        else:
            parts.append(f"{name} {short_day(day, lang)}")
    return " → ".join(parts)
