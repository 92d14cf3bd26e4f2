"""The UI's words in Danish (default) and English; domain words follow domain.md's glossary."""

from fastapi import Request

LANGUAGES = ("da", "en")

TEXTS: dict[str, dict[str, str]] = {
    "app_name": {"da": "Boligsociale sager", "en": "Social-housing cases"},
    "login": {"da": "Log ind", "en": "Log in"},
    "logout": {"da": "Log ud", "en": "Log out"},
    "username": {"da": "Brugernavn", "en": "Username"},
    "password": {"da": "Adgangskode", "en": "Password"},
    "login_failed": {
        "da": "Forkert brugernavn eller adgangskode.",
        "en": "Unknown username or wrong password.",
    },
    "too_many_attempts": {
        "da": "For mange forkerte forsøg. Vent et kvarter, og prøv igen.",
        "en": "Too many failed attempts. Wait a quarter of an hour and try again.",
    },
    "session_expired": {
        "da": "Siden var udløbet. Prøv igen.",
        "en": "The page had expired. Please try again.",
    },
    "demo_hint": {
        "da": "Demo: log ind med et brugernavn fra demoregistret, fx camilla.juhl, og adgangskoden demo.",
        "en": "Demo: log in with a username from the demo register, e.g. camilla.juhl, and the password demo.",
    },
    "plans": {"da": "Helhedsplaner", "en": "Master plans"},
    "plan": {"da": "Helhedsplan", "en": "Master plan"},
    "boards": {"da": "Bestyrelser", "en": "Boards"},
    "code": {"da": "Kode", "en": "Code"},
    "name": {"da": "Navn", "en": "Name"},
    "district": {"da": "Bydel", "en": "District"},
    "parties": {"da": "Parter (boligorganisationer)", "en": "Parties (housing organisations)"},
    "lead": {"da": "Tovholder", "en": "Lead organisation"},
    "deciding_body": {"da": "Beslutningsorgan", "en": "Deciding body"},
    "period": {"da": "Periode", "en": "Period"},
    "budget": {"da": "Budget", "en": "Budget"},
    "activity_area": {"da": "Indsatsområde", "en": "Activity area"},
    "total": {"da": "I alt", "en": "Total"},
    "departments": {"da": "Boligafdelinger", "en": "Housing departments"},
    "grant": {"da": "Bevilling", "en": "Grant"},
    "project_leaders": {"da": "Projektledere", "en": "Project leaders"},
    "strategic_agreement": {"da": "Strategisk samarbejdsaftale", "en": "Strategic agreement"},
    "version": {"da": "Version", "en": "Version"},
    "kind": {"da": "Type", "en": "Kind"},
    "members": {"da": "Medlemmer", "en": "Members"},
    "represents": {"da": "Repræsenterer", "en": "Represents"},
    "seat": {"da": "Funktion", "en": "Seat"},
    "meetings": {"da": "Møder", "en": "Meetings"},
    "decides_on": {"da": "Beslutter om", "en": "Decides on"},
    "decision_rule": {"da": "Beslutningsregel", "en": "Decision rule"},
    "not_found": {"da": "Siden findes ikke.", "en": "There is no such page."},
    "board.central": {"da": "Boligsocial Bestyrelse", "en": "Central board"},
    "board.district": {"da": "Bydelsbestyrelse", "en": "District board"},
    "board.local": {"da": "Lokal styregruppe", "en": "Local steering group"},
    "competence.district": {"da": "bydelsbestyrelsen", "en": "the district board"},
    "competence.central": {
        "da": "overført til Boligsocial Bestyrelse",
        "en": "transferred to the central board",
    },
    "seat.chair": {"da": "Formand", "en": "Chair"},
    "seat.member": {"da": "Medlem", "en": "Member"},
    "seat.attending": {"da": "Deltager", "en": "Attending"},
    "seat.secretary": {"da": "Sekretær", "en": "Secretary"},
    "seat.resident": {"da": "Beboervalgt", "en": "Resident-elected"},
    "rule.unanimity": {"da": "Enstemmighed blandt parterne", "en": "Unanimity of the parties"},
    "rule.majority": {"da": "Flertal", "en": "Majority"},
    "funder.LBF": {"da": "LBF", "en": "LBF"},
    "funder.KK": {"da": "Kommunen", "en": "City"},
    "funder.HOUSING": {"da": "Boligorganisationer", "en": "Housing orgs"},
}


def language(request: Request) -> str:
    """The session's chosen language, else the browser's preference, else Danish."""
    chosen = request.session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    accept = request.headers.get("accept-language", "")
    return "en" if accept.lower().startswith("en") else "da"


def translator(lang: str):  # type: ignore[no-untyped-def]
    def t(key: str) -> str:
        return TEXTS.get(key, {}).get(lang, key)

    return t
