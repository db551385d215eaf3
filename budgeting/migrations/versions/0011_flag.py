"""flagging: residents report comments; enough flags hide a comment pending review

``comment_flags`` holds one flag per participant and comment (reason code, resolved when
staff dealt with it); ``rounds.flag_threshold`` is how many different residents hide a
comment at once; ``comments.hidden_at`` and ``comments.hidden_by_flags`` say when and how
it was hidden.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from budgeting.models.base import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(
            sa.Column("flag_threshold", sa.Integer(), nullable=False, server_default="3")
        )
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("hidden_at", UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("hidden_by_flags", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "comment_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_flags_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_comment_flags_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_flags")),
        sa.UniqueConstraint(
            "comment_id", "participant_id", name=op.f("uq_comment_flags_comment_id_participant_id")
        ),
    )
    op.create_index(op.f("ix_comment_flags_comment_id"), "comment_flags", ["comment_id"])
    op.create_index(op.f("ix_comment_flags_participant_id"), "comment_flags", ["participant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_comment_flags_participant_id"), table_name="comment_flags")
    op.drop_index(op.f("ix_comment_flags_comment_id"), table_name="comment_flags")
    op.drop_table("comment_flags")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("hidden_by_flags")
        batch.drop_column("hidden_at")
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("flag_threshold")
