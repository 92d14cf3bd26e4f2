"""Any dashboard table as CSV or an Excel workbook (openpyxl), with the same columns as its JSON."""

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every key of the rows, in first-seen order."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def to_csv(rows: Sequence[dict[str, Any]], names: Sequence[str] | None = None) -> str:
    """The rows under a heading of `names` (by default every key of the rows), also when there are no rows."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names or columns(rows), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_xlsx(rows: Sequence[dict[str, Any]], title: str, names: Sequence[str] | None = None) -> bytes:
    """A workbook of one sheet, written row by row (openpyxl's write-only mode: 100,000 rows in seconds)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    names = names or columns(rows)
    sheet.append(names)
    for row in rows:
        sheet.append([_cell(row.get(name)) for name in names])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    return value if value is None or isinstance(value, int | float | str) else str(value)
