"""Meetings (issue 11): status and version on meetings, agenda_items with their decisions, minutes_approvals and
meeting_outbox (messages about a meeting, which have no case event for the case outbox)

Existing meetings become planned, at version 1. The integrator re-chains down_revision after a parallel 0007.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("decision", "information", "discussion", name="itemkind", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("proposal", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("presentation", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("economy", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "attachments", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("closed_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.Column("points", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("decision_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_agenda_items_case_id_cases")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_agenda_items_decided_by_id_users")),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_agenda_items_meeting_id_meetings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
        sa.UniqueConstraint("meeting_id", "case_id", name=op.f("uq_agenda_items_meeting_id_case_id")),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_items_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agenda_items_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "meeting_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_outbox_meeting_id_meetings")),
        sa.ForeignKeyConstraint(["recipient_id"], ["users.id"], name=op.f("fk_meeting_outbox_recipient_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_outbox")),
    )
    with op.batch_alter_table("meeting_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_outbox_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_outbox_sent_at"), ["sent_at"], unique=False)

    op.create_table(
        "minutes_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_minutes_approvals_meeting_id_meetings")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_minutes_approvals_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_approvals")),
        sa.UniqueConstraint("meeting_id", "user_id", name=op.f("uq_minutes_approvals_meeting_id_user_id")),
    )
    with op.batch_alter_table("minutes_approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_approvals_meeting_id"), ["meeting_id"], unique=False)

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum("planned", "cancelled", name="meetingstatus", native_enum=False, length=30),
                server_default="planned",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("agenda_confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("agenda_sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("minutes_finalised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("minutes_finalised_at")
        batch_op.drop_column("agenda_sent_at")
        batch_op.drop_column("agenda_confirmed_at")
        batch_op.drop_column("version")
        batch_op.drop_column("status")

    with op.batch_alter_table("minutes_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_approvals_meeting_id"))

    op.drop_table("minutes_approvals")
    with op.batch_alter_table("meeting_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_outbox_sent_at"))
        batch_op.drop_index(batch_op.f("ix_meeting_outbox_meeting_id"))

    op.drop_table("meeting_outbox")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_items_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_items_case_id"))

    op.drop_table("agenda_items")
