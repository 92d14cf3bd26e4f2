"""The whole event log for process-mining tools: CSV (one row per event) and XES (IEEE 1849-2016, a trace per case)."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from xml.sax.saxutils import quoteattr

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.engine import Connection

from service.persistence.case_tables import CASE_EVENTS, CASES
from service.persistence.tables import Board, District, Plan, User
from service.stats.intervals import aware

PLANS, BOARDS = Plan.__table__.alias("p"), Board.__table__.alias("b")  # type: ignore[attr-defined]
DISTRICTS, USERS = District.__table__, User.__table__  # type: ignore[attr-defined]
COLUMNS = (
    "case_id",
    "reference",
    "case_type",
    "activity",
    "timestamp",
    "resource",
    "from_state",
    "to_state",
    "plan",
    "district",
)


def events(
    connection: Connection, visible: ColumnElement[bool] | None = None, batch: int = 5000
) -> Iterator[dict[str, Any]]:
    """Every event of the visible cases, case by case in history order."""
    query = (
        select(
            CASES.c.id,
            CASES.c.reference,
            CASES.c.case_type,
            CASE_EVENTS.c.action,
            CASE_EVENTS.c.at,
            USERS.c.username,
            CASE_EVENTS.c.from_state,
            CASE_EVENTS.c.to_state,
            PLANS.c.code,
            DISTRICTS.c.code,
        )
        .select_from(CASE_EVENTS.join(CASES, CASES.c.id == CASE_EVENTS.c.case_id))
        .outerjoin(USERS, USERS.c.id == CASE_EVENTS.c.actor_id)
        .outerjoin(PLANS, PLANS.c.id == CASES.c.plan_id)
        .outerjoin(BOARDS, BOARDS.c.id == CASES.c.board_id)
        .outerjoin(DISTRICTS, DISTRICTS.c.id == func.coalesce(PLANS.c.district_id, BOARDS.c.district_id))
        .where(visible if visible is not None else true())
        .order_by(CASE_EVENTS.c.case_id, CASE_EVENTS.c.seq)
    )
    for row in connection.execute(query.execution_options(yield_per=batch)):
        yield dict(zip(COLUMNS, (*row[:4], _iso(row[4]), row[5] or "system", *row[6:]), strict=True))


def _iso(moment: datetime) -> str:
    return aware(moment).isoformat(timespec="seconds")


def csv_lines(rows: Iterator[dict[str, Any]], chunk: int = 2000) -> Iterator[str]:
    """The CSV text in pieces, for a streamed response."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for i, row in enumerate(rows, 1):
        writer.writerow(row)
        if i % chunk == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


XES_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <global scope="trace"><string key="concept:name" value="__INVALID__"/></global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
"""


def _string(key: str, value: Any) -> str:
    return f"<string key={quoteattr(key)} value={quoteattr(str(value))}/>" if value is not None else ""


def xes_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """The XES document in pieces: one trace per case (concept:name = its reference), one event per history event."""
    yield XES_HEAD
    current = None
    for row in rows:
        if row["case_id"] != current:
            if current is not None:
                yield "  </trace>\n"
            current = row["case_id"]
            yield (
                f"  <trace>{_string('concept:name', row['reference'])}{_string('case_type', row['case_type'])}"
                f"{_string('plan', row['plan'])}{_string('district', row['district'])}\n"
            )
        yield (
            f"    <event>{_string('concept:name', row['activity'])}"
            f'<date key="time:timestamp" value={quoteattr(row["timestamp"])}/>'
            f"{_string('org:resource', row['resource'])}"
            f"{_string('from_state', row['from_state'])}{_string('to_state', row['to_state'])}</event>\n"
        )
    if current is not None:
        yield "  </trace>\n"
    yield "</log>\n"
