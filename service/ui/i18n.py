"""The UI's words in Danish (default) and English; domain words follow domain.md's glossary."""

from fastapi import Request

from service.ui.dashboard_texts import DASHBOARD_TEXTS
from service.ui.meeting_texts import MEETING_TEXTS
from workflows.labels import DERIVED_FIELDS, choice_labels, field_labels
from workflows.registry import WORKFLOWS

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
    "cases": {"da": "Sager", "en": "Cases"},
    "new_case": {"da": "Ny sag", "en": "New case"},
    "inbox": {"da": "Min indbakke", "en": "My inbox"},
    "open_cases": {"da": "Åbne sager", "en": "Open cases"},
    "all_cases": {"da": "Alle sager", "en": "All cases"},
    "search": {"da": "Søg", "en": "Search"},
    "reference": {"da": "Sagsnr.", "en": "Reference"},
    "case_type": {"da": "Sagstype", "en": "Case type"},
    "title": {"da": "Titel", "en": "Title"},
    "description": {"da": "Beskrivelse", "en": "Description"},
    "state": {"da": "Status", "en": "State"},
    "no_cases": {"da": "Ingen sager her.", "en": "No cases here."},
    "actions": {"da": "Handlinger", "en": "Actions"},
    "not_now": {"da": "Ikke mulige nu", "en": "Not possible now"},
    "comment": {"da": "Bemærkning", "en": "Comment"},
    "history": {"da": "Historik", "en": "History"},
    "diagram": {"da": "Sagens forløb", "en": "The case's course"},
    "deadlines": {"da": "Frister", "en": "Deadlines"},
    "due": {"da": "Frist", "en": "Due"},
    "overdue": {"da": "Overskredet", "en": "Overdue"},
    "expected_decision": {"da": "Forventet afgørelse", "en": "Expected decision"},
    "data": {"da": "Sagsdata", "en": "Case data"},
    "create": {"da": "Opret sag", "en": "Open case"},
    "concerns": {"da": "Vedrører", "en": "Concerns"},
    "version": {"da": "Version", "en": "Version"},
    "json_hint": {"da": "Angives som JSON", "en": "Given as JSON"},
    "yes": {"da": "Ja", "en": "Yes"},
    "no": {"da": "Nej", "en": "No"},
    "by_default": {"da": "Efter standardreglen", "en": "By the default rule"},
    "case_count": {"da": "sager", "en": "cases"},
    "deadline_status.open": {"da": "Åben", "en": "Open"},
    "deadline_status.met": {"da": "Overholdt", "en": "Met"},
    "deadline_status.cancelled": {"da": "Annulleret", "en": "Cancelled"},
    "history.open": {"da": "Oprettet", "en": "Opened"},
    "history.comment": {"da": "Kommentar", "en": "Comment"},
    "history.attach_document": {"da": "Dokument vedhæftet", "en": "Document attached"},
    "history.moved_with_competence": {"da": "Flyttet med beslutningskompetencen", "en": "Moved with the competence"},
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
    "budget_by_year": {"da": "Budget pr. år", "en": "Budget by year"},
    "budget_history": {"da": "Godkendte budgetændringer", "en": "Approved budget changes"},
    "budget_line": {"da": "Budgetpost", "en": "Budget line"},
    "change": {"da": "Ændring", "en": "Change"},
    "date": {"da": "Dato", "en": "Date"},
    "case": {"da": "Sag", "en": "Case"},
    "no_budget_changes": {"da": "Ingen gennemførte budgetændringer endnu.", "en": "No budget changes implemented yet."},
    "activity_area": {"da": "Indsatsområde", "en": "Activity area"},
    "total": {"da": "I alt", "en": "Total"},
    "departments": {"da": "Boligafdelinger", "en": "Housing departments"},
    "grant": {"da": "Bevilling", "en": "Grant"},
    "project_leaders": {"da": "Projektledere", "en": "Project leaders"},
    "strategic_agreement": {"da": "Strategisk samarbejdsaftale", "en": "Strategic agreement"},
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
    "deadline": {"da": "Frist", "en": "Deadline"},
    "due_on": {"da": "Forfalder", "en": "Due"},
    "reminders": {"da": "Påmindelser", "en": "Reminders"},
    "next_deadline": {"da": "Næste frist", "en": "Next deadline"},
    "next_reminder": {"da": "Næste påmindelse", "en": "Next reminder"},
    "days_before": {"da": "dage før", "en": "days before"},
    "rung.due": {"da": "På dagen", "en": "On the day"},
    "rung.escalate_1": {"da": "Eskalering", "en": "Escalation"},
    "rung.escalate_2": {"da": "Eskalering til formanden", "en": "Escalation to the chair"},
    "paused_since": {"da": "i bero siden", "en": "paused since"},
    "change_deadline": {"da": "Sæt i bero, forlæng eller udsæt påmindelser", "en": "Pause, extend or snooze"},
    "snooze": {"da": "Udsæt mine påmindelser", "en": "Snooze my reminders"},
    "snooze_until": {"da": "Ingen påmindelser til mig før", "en": "No reminders to me until"},
    "snooze_hint": {
        "da": "Fristen flytter sig ikke; kun dine påmindelser venter.",
        "en": "The deadline does not move; only your reminders wait.",
    },
    "reason": {"da": "Begrundelse (gemmes i historikken)", "en": "Reason (kept in the history)"},
    "pause": {"da": "Sæt fristen i bero", "en": "Pause the deadline"},
    "resume": {"da": "Genoptag fristen", "en": "Resume the deadline"},
    "new_due_date": {"da": "Ny frist", "en": "New due date"},
    "extend": {"da": "Forlæng fristen", "en": "Extend the deadline"},
    "history.deadline_paused": {"da": "Frist sat i bero", "en": "Deadline paused"},
    "history.deadline_resumed": {"da": "Frist genoptaget", "en": "Deadline resumed"},
    "history.deadline_extended": {"da": "Frist forlænget", "en": "Deadline extended"},
    "profile": {"da": "Min profil", "en": "My profile"},
    "mails": {"da": "Sendte mails", "en": "Sent mails"},
    "mail_language": {"da": "Sprog i mails og på siderne", "en": "Language of mails and pages"},
    "daily_digest": {
        "da": "Saml mine mails i ét dagligt overblik (hverdage kl. 7)",
        "en": "Gather my mails in one daily summary (working days at 7)",
    },
    "immediate_topics": {
        "da": "Send disse med det samme, også med dagligt overblik",
        "en": "Send these at once, even with the daily summary",
    },
    "urgent_always": {"da": "Eskaleringer sendes altid med det samme.", "en": "Escalations are always sent at once."},
    "save": {"da": "Gem", "en": "Save"},
    "saved": {"da": "Gemt.", "en": "Saved."},
    "mail_to": {"da": "Til", "en": "To"},
    "mail_subject": {"da": "Emne", "en": "Subject"},
    "mail_created": {"da": "Oprettet", "en": "Created"},
    "mail_state": {"da": "Levering", "en": "Delivery"},
    "mail_state.waiting": {"da": "Venter", "en": "Waiting"},
    "mail_state.sent": {"da": "Sendt", "en": "Sent"},
    "mail_state.kept": {"da": "Gemt her (ingen SMTP)", "en": "Kept here (no SMTP)"},
    "mail_state.failing": {"da": "Fejler, prøves igen", "en": "Failing, will retry"},
    "mail_attempts": {"da": "Forsøg", "en": "Attempts"},
    "mail_error": {"da": "Seneste fejl", "en": "Last error"},
    "my_mails": {"da": "Mine mails", "en": "My mails"},
    "all_mails": {"da": "Alle mails", "en": "All mails"},
    "no_mails": {"da": "Ingen mails endnu.", "en": "No mails yet."},
    "kept_hint": {
        "da": "Der er ingen SMTP-server sat op, så mails gemmes her i stedet for at blive sendt.",
        "en": "No SMTP server is configured, so mails are kept here instead of being sent.",
    },
    "previous": {"da": "Forrige", "en": "Previous"},
    "next": {"da": "Næste", "en": "Next"},
}


# Labels of data fields and their choices live beside the fields, in the case-type declarations (workflows/labels.py).
_SCHEMAS = {s for w in WORKFLOWS.values() for s in (w.data_schema, *(a.requires for a in w.actions)) if s is not None}
FIELDS: dict[str, dict[str, str]] = field_labels(_SCHEMAS) | DERIVED_FIELDS
CHOICES: dict[str, dict[str, str]] = choice_labels(_SCHEMAS)
TEXTS |= DASHBOARD_TEXTS
TEXTS |= MEETING_TEXTS
TEXTS |= {f"deadline.{d.name}": {"da": d.da, "en": d.en} for w in WORKFLOWS.values() for d in w.deadlines}


def language(request: Request) -> str:
    """The session's chosen language, else the browser's preference, else Danish."""
    chosen = request.session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    accept = request.headers.get("accept-language", "")
    return "en" if accept.lower().startswith("en") else "da"


def translator(lang: str):  # type: ignore[no-untyped-def]
    """`t(key)` for UI words; `t("field.kind")` and `t("choice.economic")` for schema fields and their values."""

    def t(key: str) -> str:
        group, _, name = key.partition(".")
        table = {"field": FIELDS, "choice": CHOICES}.get(group)
        if table is not None and name in table:
            return table[name][lang]
        return TEXTS.get(key, {}).get(lang, name if table is not None else key)

    return t


# Fields of deadline changes as the history shows them.
FIELDS |= {
    "deadline": {"da": "Frist", "en": "Deadline"},
    "reason": {"da": "Begrundelse", "en": "Reason"},
    "due_on": {"da": "Ny frist", "en": "New due date"},
    "was_due_on": {"da": "Tidligere frist", "en": "Was due"},
}
