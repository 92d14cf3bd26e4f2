"""Names for the ids and keys the statistics group by, in the UI's language."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from service.persistence.tables import Board, District, Plan
from workflows.registry import WORKFLOWS

TABLES = {"district": District, "plan": Plan, "board": Board}


def names(connection: Connection, group_by: str, lang: str = "da") -> dict[Any, str]:
    """Key → label for a grouping: case types by their name, districts, plans and boards by code and name."""
    if group_by == "case_type":
        return {key: getattr(w, lang if lang in ("da", "en") else "da") for key, w in WORKFLOWS.items()}
    model = TABLES.get(group_by)
    if model is None:
        return {}
    table = model.__table__  # type: ignore[attr-defined]
    return {row.id: f"{row.code} {row.name}" for row in connection.execute(select(table.c.id, table.c.code, table.c.name))}


def state_name(case_type: str, state: str, lang: str = "da") -> str:
    workflow = WORKFLOWS.get(case_type)
    if workflow is None:
        return state
    found = workflow.state(state)
    return found.da if lang == "da" else found.en
