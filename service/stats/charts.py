"""Dashboard charts as SVG drawn on the server with matplotlib: no JavaScript, no CDN, works offline.

Each chart is drawn from the same rows its page shows as a table, so the numbers beside it are the chart's.
"""

import io
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

# Figures are made without pyplot (its global state is not thread-safe, and requests run in threads).
matplotlib.rcParams.update({"svg.hashsalt": "boligsocial", "svg.fonttype": "none", "font.size": 9, "figure.dpi": 96})
COLOURS = ["#1f5f8b", "#c8553d", "#588157", "#8e7dbe", "#e0a100", "#5c6b73"]
WAIT_COLOURS = {"work": "#1f5f8b", "meeting": "#e0a100", "lbf": "#c8553d", "parties": "#588157"}


def _svg(figure: Any) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight")
    return out.getvalue()


def _empty(message: str) -> str:
    figure = Figure(figsize=(7, 1.2))
    axes = figure.subplots()
    axes.axis("off")
    axes.text(0.5, 0.5, message, ha="center", va="center")
    return _svg(figure)


def thin(values: np.ndarray, points: int = 400) -> np.ndarray:
    """At most `points` values spread evenly, first and last kept: a drawing needs no more (the table has the numbers)."""
    if len(values) <= points:
        return values
    picked: np.ndarray = values[np.unique(np.linspace(0, len(values) - 1, points).astype(int))]
    return picked


def survival(curves: dict[str, tuple[np.ndarray, np.ndarray]], names: dict[str, str], unit: str, empty: str) -> str:
    """Kaplan–Meier: the share of cases still open after so many days, a step line per case type."""
    if not any(len(times) for times, _ in curves.values()):
        return _empty(empty)
    figure = Figure(figsize=(7.5, 3.6))
    axes = figure.subplots()
    for colour, (key, (all_times, all_share)) in zip(COLOURS * 3, curves.items(), strict=False):
        times, share = thin(all_times), thin(all_share)
        if len(times):
            axes.step(
                np.concatenate(([0], times)),
                np.concatenate(([1.0], share)),
                where="post",
                color=colour,
                label=names.get(key, key),
            )
    axes.set_xlabel(unit)
    axes.set_ylim(0, 1.02)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, frameon=False)
    return _svg(figure)


def quantile_bars(rows: list[dict[str, Any]], unit: str, empty: str) -> str:
    """p50, p85 and p95 per group as grouped horizontal bars."""
    rows = [r for r in rows if r.get("p50") is not None]
    if not rows:
        return _empty(empty)
    figure = Figure(figsize=(7.5, 0.45 * len(rows) + 1))
    axes = figure.subplots()
    y = np.arange(len(rows))
    series = (("p50", COLOURS[0]), ("p85", COLOURS[4]), ("p95", COLOURS[1]))
    for offset, (name, colour) in zip((-0.25, 0, 0.25), series, strict=True):
        axes.barh(y + offset, [r[name] or 0 for r in rows], height=0.25, color=colour, label=name)
    axes.set_yticks(y, [str(r["label"]) for r in rows])
    axes.invert_yaxis()
    axes.set_xlabel(unit)
    axes.legend(fontsize=8, frameon=False)
    return _svg(figure)


def wait_split(rows: list[dict[str, Any]], names: dict[str, str], labels: dict[str, str], empty: str) -> str:
    """Per case type, the share of its time spent on work, waiting for a meeting, for LBF and for the parties."""
    if not rows:
        return _empty(empty)
    figure = Figure(figsize=(7.5, 0.5 * len(rows) + 1))
    axes = figure.subplots()
    left = np.zeros(len(rows))
    for wait, colour in WAIT_COLOURS.items():
        shares = np.array([r.get(f"{wait}_share", 0.0) for r in rows])
        axes.barh(range(len(rows)), shares, left=left, color=colour, label=labels.get(wait, wait))
        left += shares
    axes.set_yticks(range(len(rows)), [names.get(r["case_type"], r["case_type"]) for r in rows])
    axes.invert_yaxis()
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    axes.legend(fontsize=8, frameon=False, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    return _svg(figure)


def cumulative_flow(rows: list[dict[str, Any]], labels: dict[str, str], empty: str) -> str:
    """Cases arrived and completed, cumulated per month; the gap between them is the work in progress."""
    if not rows:
        return _empty(empty)
    figure = Figure(figsize=(7.5, 3.4))
    axes = figure.subplots()
    x = np.arange(len(rows))
    done = np.array([r["completed_total"] for r in rows])
    arrived = np.array([r["arrived_total"] for r in rows])
    axes.fill_between(x, 0, done, color=COLOURS[2], alpha=0.8, label=labels["completed"])
    axes.fill_between(x, done, arrived, color=COLOURS[0], alpha=0.6, label=labels["in_progress"])
    step = max(1, len(rows) // 12)
    axes.set_xticks(x[::step], [r["month"] for r in rows][::step], rotation=45, ha="right")
    axes.legend(fontsize=8, frameon=False, loc="upper left")
    axes.grid(alpha=0.3)
    return _svg(figure)


def age_bars(buckets: list[dict[str, Any]], labels: list[str], empty: str) -> str:
    """Open cases by age."""
    if not any(b["count"] for b in buckets):
        return _empty(empty)
    figure = Figure(figsize=(7.5, 2.6))
    axes = figure.subplots()
    axes.bar(labels, [b["count"] for b in buckets], color=COLOURS[0])
    axes.grid(alpha=0.3, axis="y")
    return _svg(figure)
