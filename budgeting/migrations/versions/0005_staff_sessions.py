"""staff sessions stored server-side; staff accounts can be deactivated

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import budgeting.models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(
            sa.Column(
                "deactivated_at", budgeting.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )
    op.create_table(
        "staff_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=80), nullable=True),
        sa.Column("created_at", budgeting.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", budgeting.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", budgeting.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_sessions_staff_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_staff_sessions")),
    )
    with op.batch_alter_table("staff_sessions") as batch:
        batch.create_index(batch.f("ix_staff_sessions_staff_user_id"), ["staff_user_id"])
        batch.create_index(batch.f("ix_staff_sessions_expires_at"), ["expires_at"])


def downgrade() -> None:
    with op.batch_alter_table("staff_sessions") as batch:
        batch.drop_index(batch.f("ix_staff_sessions_expires_at"))
        batch.drop_index(batch.f("ix_staff_sessions_staff_user_id"))
    op.drop_table("staff_sessions")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("deactivated_at")
