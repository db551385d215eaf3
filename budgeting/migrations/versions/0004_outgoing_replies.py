"""outgoing replies: a turn's replies stored with its effects until sent

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from budgeting.models.base import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outgoing_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_key", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=128), nullable=False),
        sa.Column("address", sa.JSON(), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_replies")),
        sa.UniqueConstraint(
            "channel", "update_key", name=op.f("uq_outgoing_replies_channel_update_key")
        ),
    )
    op.create_index(op.f("ix_outgoing_replies_owner"), "outgoing_replies", ["owner"])
    op.create_index(op.f("ix_outgoing_replies_lease_until"), "outgoing_replies", ["lease_until"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outgoing_replies_lease_until"), table_name="outgoing_replies")
    op.drop_index(op.f("ix_outgoing_replies_owner"), table_name="outgoing_replies")
    op.drop_table("outgoing_replies")
