"""Stats: case_state_intervals (each case's stays in its states) and state_duration_buckets, from case_events (issue 12)

Existing histories are replayed into the table, so dashboards cover cases opened before this revision.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_state_intervals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("case_type", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=50), nullable=False),
        sa.Column("wait", sa.String(length=20), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("deciding_board_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.BigInteger(), nullable=False),
        sa.Column("entered_at", sa.BigInteger(), nullable=False),
        sa.Column("left_at", sa.BigInteger(), nullable=True),
        sa.Column("seconds", sa.BigInteger(), nullable=True),
        sa.Column("left_to", sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_state_intervals_case_id_cases")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_case_state_intervals_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_case_state_intervals_district_id_districts")
        ),
        sa.ForeignKeyConstraint(
            ["deciding_board_id"], ["boards.id"], name=op.f("fk_case_state_intervals_deciding_board_id_boards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_state_intervals")),
    )
    with op.batch_alter_table("case_state_intervals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_state_intervals_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_case_state_intervals_left_at_case_type", ["left_at", "case_type"], unique=False)
        batch_op.create_index(
            "ix_case_state_intervals_case_type_state_seconds", ["case_type", "state", "seconds"], unique=False
        )
        batch_op.create_index(
            "ix_case_state_intervals_type_state_district_seconds",
            ["case_type", "state", "district_id", "seconds"],
            unique=False,
        )
    op.create_table(
        "state_duration_buckets",
        sa.Column("case_type", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=50), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("left_to", sa.String(length=50), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("wait", sa.String(length=20), nullable=False),
        sa.Column("stays", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "case_type", "state", "district_id", "left_to", "bucket", name=op.f("pk_state_duration_buckets")
        ),
    )
    from service.stats.intervals import rebuild  # replays the existing histories into both tables

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("state_duration_buckets")
    with op.batch_alter_table("case_state_intervals", schema=None) as batch_op:
        batch_op.drop_index("ix_case_state_intervals_type_state_district_seconds")
        batch_op.drop_index("ix_case_state_intervals_case_type_state_seconds")
        batch_op.drop_index("ix_case_state_intervals_left_at_case_type")
        batch_op.drop_index(batch_op.f("ix_case_state_intervals_case_id"))
    op.drop_table("case_state_intervals")
