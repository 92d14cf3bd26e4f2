"""A housing organisation's weekly list of the approvals it owes, to its shared mailbox (`weekly_digest_to`).

Sent on the first working day of each week. The Message-ID is made from the organisation and the ISO week, and it
is unique in the mail table: however often the job runs, each organisation gets one list a week.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from service.authz import case_setting
from service.config import Settings
from service.notify.mails import MAILS, long_date, render, topic_label
from service.notify.notices import insert_new
from service.notify.people import pending_organisations
from service.persistence.case_tables import Case, CaseDeadline, DeadlineStatus
from service.persistence.notify_tables import MailKind
from service.persistence.tables import Organisation, PlanParty
from workflows import calendar
from workflows.registry import WORKFLOWS


def first_working_day_of_week(day: datetime) -> bool:
    local = day.astimezone(calendar.LOCAL).date()
    monday = local - timedelta(days=local.weekday())
    return local == calendar.next_working_day(monday)


def owed(session: Session, organisation: Organisation, base_url: str) -> list[dict[str, str]]:
    """The open cases on the organisation's plans where its vote or consent is still missing."""
    plans = select(PlanParty.plan_id).where(PlanParty.organisation_id == organisation.id)
    cases = session.exec(select(Case).where(col(Case.is_open), col(Case.plan_id).in_(plans)).order_by(col(Case.id)))
    lines = []
    for case in cases:
        workflow = WORKFLOWS[case.case_type]
        setting = case_setting(
            session, plan_id=case.plan_id, deciding_board_id=case.deciding_board_id, city_is_party=workflow.city_veto
        )
        if organisation.code not in pending_organisations(session, case, setting):
            continue
        deadline = session.exec(
            select(CaseDeadline)
            .where(CaseDeadline.case_id == case.id, CaseDeadline.status == DeadlineStatus.open)
            .order_by(col(CaseDeadline.due_on))
        ).first()
        lines.append(
            dict(
                reference=case.reference,
                title=case.title,
                state=workflow.state(case.state).da,
                due=long_date(deadline.due_on, "da") if deadline else "",
                what=topic_label(case, deadline.name, "da") if deadline else "",
                link=f"{base_url.rstrip('/')}/sager/{case.id}",
            )
        )
    return lines


def weekly_digests(session: Session, *, now: datetime, settings: Settings) -> int:
    """This week's list for each organisation with a shared mailbox and something owed; how many were new."""
    if not first_working_day_of_week(now):
        return 0
    year, week, _ = now.astimezone(calendar.LOCAL).isocalendar()
    domain = urlsplit(settings.base_url).hostname or "boligsocial"
    rows = []
    for organisation in session.exec(select(Organisation).where(col(Organisation.weekly_digest_to).is_not(None))):
        lines = owed(session, organisation, settings.base_url)
        if not lines:
            continue
        text, html = render(MailKind.weekly, "da", organisation=organisation, lines=lines, week=week)
        rows.append(
            dict(
                user_id=None,
                to_address=organisation.weekly_digest_to,
                kind=MailKind.weekly.value,
                language="da",
                subject=f"Uge {week}: {len(lines)} {'sag venter' if len(lines) == 1 else 'sager venter'} på jer",
                body_text=text,
                body_html=html,
                message_id=f"<weekly-{organisation.code}-{year}w{week:02d}@{domain}>",
                created_at=now,
                not_before=now,
            )
        )
    return insert_new(session, MAILS, rows, ["message_id"])
