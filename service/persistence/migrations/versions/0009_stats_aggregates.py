"""Stats aggregates: forecast_slips, how many days past forecasts slipped per case type and district (issue 12)

Existing histories are counted from case_events, so the forecast page covers decisions made before this revision.
The integrator re-chains this revision after 0007/0008.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_slips",
        sa.Column("case_type", sa.String(length=50), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("forecasts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("case_type", "district_id", "days", name=op.f("pk_forecast_slips")),
    )
    from service.stats.slips import rebuild  # counts the existing histories' resolved forecasts

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("forecast_slips")
