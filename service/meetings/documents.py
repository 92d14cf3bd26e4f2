"""The agenda (dagsorden) and the minutes (referat / beslutningsprotokol) as documents, HTML or PDF, built from the
items' data: item 1 approves the agenda; each item shows its indstilling, and in the minutes the beslutning right
after it. The public version leaves out closed items and closed attachments."""

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from jinja2 import Environment, FileSystemLoader, select_autoescape
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import ListFlowable, Paragraph, SimpleDocTemplate, Spacer
from sqlmodel import Session

from service.authz import SERVICE
from service.meetings import access, views
from service.meetings.schemas import ItemPublic, MeetingDetail
from workflows.calendar import LOCAL

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "ui" / "templates"), autoescape=select_autoescape(["html"])
)
KIND_DA = {"decision": "Beslutningssag", "information": "Orienteringssag", "discussion": "Drøftelsessag"}


@dataclass(frozen=True)
class Document:
    """What a document shows: the meeting, its items in this version, and whether it is the minutes."""

    meeting: MeetingDetail
    items: list[ItemPublic]
    minutes: bool
    public: bool

    @property
    def heading(self) -> str:
        what = "Referat" if self.minutes else "Dagsorden"
        when = self.meeting.starts_at.astimezone(LOCAL)
        return f"{what}: {self.meeting.board.name}, {when:%d.%m.%Y kl. %H:%M}"

    @property
    def first_item(self) -> str:
        return "Dagsordenen godkendt." if self.minutes else "at dagsordenen godkendes"


def document(meeting: MeetingDetail, *, minutes: bool, public: bool) -> Document:
    """The document's items: all for the members, only published ones (and published bilag) for the public."""
    items = []
    for item in meeting.items:
        if public and not item.public:
            continue
        shown = [a for a in item.attachments if a.public] if public else item.attachments
        items.append(item.model_copy(update={"attachments": shown}))
    return Document(meeting, items, minutes, public)


def html(doc: Document) -> str:
    """The document as a printable HTML page."""
    return TEMPLATES.get_template("meeting_document.html").render(doc=doc, kinds=KIND_DA, local=LOCAL)


def _item_flowables(item: ItemPublic, minutes: bool, styles: dict) -> list:  # type: ignore[type-arg]
    body, h3 = styles["BodyText"], styles["Heading3"]
    parts = [Paragraph(f"{item.number}. {escape(item.title)}", styles["Heading2"]), Paragraph(KIND_DA[item.kind], body)]
    parts += [Paragraph("Indstilling", h3), Paragraph("Sekretariatet indstiller,", body)]
    parts.append(ListFlowable([Paragraph(escape(p), body) for p in item.proposal], bulletType="1"))
    if minutes:
        parts += [Paragraph("Beslutning", h3), Paragraph(escape(item.decision_text or "Ikke behandlet."), body)]
    if item.presentation:
        parts += [Paragraph("Sagsfremstilling", h3), *[Paragraph(escape(p), body) for p in item.presentation.split("\n\n")]]
    if item.economy:
        parts += [Paragraph("Økonomi", h3), *[Paragraph(escape(line), body) for line in item.economy.splitlines()]]
    if item.attachments:
        parts += [Paragraph("Bilag", h3), *[Paragraph(escape(a.filename), body) for a in item.attachments]]
    return parts


def pdf(doc: Document) -> bytes:
    """The document as a PDF (ReportLab; the standard fonts carry æ, ø and å)."""
    styles = getSampleStyleSheet()
    buffer = BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=A4, title=doc.heading, leftMargin=2.5 * cm, rightMargin=2.5 * cm)
    story = [Paragraph(escape(doc.heading), styles["Title"])]
    if doc.meeting.location:
        story.append(Paragraph(f"Sted: {escape(doc.meeting.location)}", styles["BodyText"]))
    if doc.public:
        story.append(Paragraph("Offentlig udgave: lukkede punkter og bilag er udeladt.", styles["Italic"]))
    story += [Spacer(1, 0.4 * cm), Paragraph("1. Godkendelse af dagsorden", styles["Heading2"])]
    story.append(Paragraph(doc.first_item, styles["BodyText"]))
    for item in doc.items:
        story += _item_flowables(item, doc.minutes, styles)
    template.build(story)
    return buffer.getvalue()


def members_pdf(session: Session, *, meeting_id: int, minutes: bool, now: datetime) -> tuple[str, bytes]:
    """The members' version of a meeting's agenda or minutes as a PDF, with a file name (for the mail to members)."""
    meeting = access.get_meeting(session, meeting_id)
    detail = views.describe(session, actor=SERVICE, meeting=meeting, now=now)
    day = meeting.starts_at.astimezone(LOCAL).date().isoformat()
    return f"{'referat' if minutes else 'dagsorden'}-{day}.pdf", pdf(document(detail, minutes=minutes, public=False))
