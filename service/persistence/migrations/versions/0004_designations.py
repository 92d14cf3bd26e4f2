"""Designations: who acts for a housing organisation (domain.md §3.1)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "designations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("business_manager", "officer", name="designationkind", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_designations_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_designations_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_designations")),
        sa.UniqueConstraint("user_id", "organisation_id", "kind", name=op.f("uq_designations_user_id_organisation_id_kind")),
    )
    with op.batch_alter_table("designations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_designations_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("designations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_designations_user_id"))
    op.drop_table("designations")
