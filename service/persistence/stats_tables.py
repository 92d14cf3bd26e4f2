"""Derived from the append-only history: how long each case spent in each state (the dashboards read this).

One row per stay of a case in a state, written in the same transaction as the action that moved the case
(`service.stats.intervals.record_transition`) and rebuildable from `case_events` at any time. Times are Unix
seconds (UTC), so durations are plain integer arithmetic on SQLite and PostgreSQL alike.
"""

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel


class CaseStateInterval(SQLModel, table=True):
    __tablename__ = "case_state_intervals"
    __table_args__ = (
        # The current stay of every case (left_at IS NULL): lead times, aging and throughput read only these.
        Index("ix_case_state_intervals_left_at_case_type", "left_at", "case_type"),
        # Time in state: exact percentiles walk one bucket of these indexes (all districts, or one).
        Index("ix_case_state_intervals_case_type_state_seconds", "case_type", "state", "seconds"),
        Index("ix_case_state_intervals_type_state_district_seconds", "case_type", "state", "district_id", "seconds"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    case_type: str = Field(max_length=50)
    state: str = Field(max_length=50)
    wait: str = Field(max_length=20)  # what the case waits for here: workflows.spec.Wait
    plan_id: int | None = Field(default=None, foreign_key="plans.id")
    district_id: int | None = Field(default=None, foreign_key="districts.id")
    deciding_board_id: int | None = Field(default=None, foreign_key="boards.id")
    opened_at: int = Field(sa_column=Column(BigInteger, nullable=False))  # when the case was opened
    entered_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    left_at: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))  # NULL: still there
    seconds: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))  # left_at - entered_at
    left_to: str | None = Field(default=None, max_length=50)  # the state the case went on to


INTERVALS = SQLModel.metadata.tables["case_state_intervals"]


class StateDurationBucket(SQLModel, table=True):
    """How many finished stays of a case type in a state (in a district) lasted within a bucket of lengths, and their
    total seconds.

    Kept with the intervals; lets time-in-state percentiles be found exactly by reading one bucket's stays.
    """

    __tablename__ = "state_duration_buckets"
    case_type: str = Field(max_length=50, primary_key=True)
    state: str = Field(max_length=50, primary_key=True)
    district_id: int = Field(default=0, primary_key=True)  # 0: a case of no district
    left_to: str = Field(max_length=50, primary_key=True)  # where the stays went on to: decided, or postponed
    bucket: int = Field(primary_key=True)
    wait: str = Field(max_length=20)
    stays: int = 0
    seconds: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


BUCKETS = SQLModel.metadata.tables["state_duration_buckets"]


class ForecastSlip(SQLModel, table=True):
    """How many past forecasts (stays of a case on a meeting's agenda) of a case type in a district were decided
    so many days after their meeting (0: the forecast held). Kept in the transaction of each decision
    (service.stats.slips)."""

    __tablename__ = "forecast_slips"
    case_type: str = Field(max_length=50, primary_key=True)
    district_id: int = Field(default=0, primary_key=True)  # 0: a case of no district
    days: int = Field(primary_key=True)
    forecasts: int = 0


SLIPS = SQLModel.metadata.tables["forecast_slips"]
