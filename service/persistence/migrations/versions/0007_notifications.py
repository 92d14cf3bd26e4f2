"""Notifications: reminder ledger and snoozes, notices per person, mails; reminder rungs on deadlines; mail
preferences on users; a housing organisation's weekly digest address (issue 10)

Open deadlines from before this revision get their due-day rung, so they are reminded of on the day and
escalated after it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column(
            "kind", sa.Enum("single", "digest", "weekly", name="mailkind", native_enum=False, length=30), nullable=False
        ),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("body_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body_html", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("not_before", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("claimed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("stored", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_mails_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mails")),
        sa.UniqueConstraint("message_id", name=op.f("uq_mails_message_id")),
    )
    with op.batch_alter_table("mails", schema=None) as batch_op:
        batch_op.create_index("ix_mails_sent_at_not_before", ["sent_at", "not_before"], unique=False)
        batch_op.create_index(batch_op.f("ix_mails_user_id"), ["user_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("event", "reminder", "escalation", "report", "meeting", name="noticekind", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("reason_en", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("immediate", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("deliver_after", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_notifications_case_id_cases")),
        sa.ForeignKeyConstraint(["mail_id"], ["mails.id"], name=op.f("fk_notifications_mail_id_mails")),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_notifications_meeting_id_meetings")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("user_id", "source", name=op.f("uq_notifications_user_id_source")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_mail_id_deliver_after", ["mail_id", "deliver_after"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_user_id"), ["user_id"], unique=False)

    op.create_table(
        "reminder_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("rung", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("fired_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deadline_id"], ["case_deadlines.id"], name=op.f("fk_reminder_ledger_deadline_id_case_deadlines")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_ledger")),
        sa.UniqueConstraint("deadline_id", "rung", name=op.f("uq_reminder_ledger_deadline_id_rung")),
    )
    op.create_table(
        "reminder_snoozes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deadline_id"], ["case_deadlines.id"], name=op.f("fk_reminder_snoozes_deadline_id_case_deadlines")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reminder_snoozes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_snoozes")),
        sa.UniqueConstraint("user_id", "deadline_id", name=op.f("uq_reminder_snoozes_user_id_deadline_id")),
    )
    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_rung", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True))
        batch_op.add_column(sa.Column("next_rung_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("paused_since", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True))
        batch_op.create_index("ix_case_deadlines_status_next_rung_on", ["status", "next_rung_on"], unique=False)
    op.execute("UPDATE case_deadlines SET next_rung = 'due', next_rung_on = due_on WHERE status = 'open'")

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("weekly_digest_to", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False, server_default="da")
        )
        batch_op.add_column(sa.Column("daily_digest", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("immediate_topics", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("preferences_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("preferences_version")
        batch_op.drop_column("immediate_topics")
        batch_op.drop_column("daily_digest")
        batch_op.drop_column("language")

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("weekly_digest_to")

    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_case_deadlines_status_next_rung_on")
        batch_op.drop_column("last_error")
        batch_op.drop_column("attempts")
        batch_op.drop_column("paused_since")
        batch_op.drop_column("next_rung_on")
        batch_op.drop_column("next_rung")

    op.drop_table("reminder_snoozes")
    op.drop_table("reminder_ledger")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_user_id"))
        batch_op.drop_index("ix_notifications_mail_id_deliver_after")

    op.drop_table("notifications")
    with op.batch_alter_table("mails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mails_user_id"))
        batch_op.drop_index("ix_mails_sent_at_not_before")

    op.drop_table("mails")
