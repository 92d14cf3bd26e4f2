"""Hardening: session generations, comment and document visibility, idempotency fingerprints

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VISIBILITY = sa.Enum("internal", "shared", name="visibility", native_enum=False, length=30)


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
    for table in ("case_comments", "case_documents"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("visibility", VISIBILITY, nullable=False, server_default="internal"))
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_column("request_fingerprint")
    for table in ("case_documents", "case_comments"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("visibility")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
