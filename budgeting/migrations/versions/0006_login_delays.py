"""login delays instead of account lockout

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import budgeting.models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column(
            "last_failure_at", budgeting.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "next_allowed_at", budgeting.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_login_failures")),
    )
    op.create_index(
        op.f("ix_login_failures_last_failure_at"), "login_failures", ["last_failure_at"]
    )
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("failed_logins")
        batch.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column(
                "locked_until", budgeting.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )
    op.drop_index(op.f("ix_login_failures_last_failure_at"), table_name="login_failures")
    op.drop_table("login_failures")
