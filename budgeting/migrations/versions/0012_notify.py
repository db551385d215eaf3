"""being told about the discussion: the comment digest window of a round

New comments are told to the proposal's author, to the writer of the comment answered
and to followers, batched per proposal and person: at most one message per
``rounds.comment_digest_minutes`` (default 3 h). An index finds a person's open batch.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(
            sa.Column("comment_digest_minutes", sa.Integer(), nullable=False, server_default="180")
        )
    op.create_index(
        "ix_notifications_participant_proposal",
        "notifications",
        ["participant_id", "proposal_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_participant_proposal", table_name="notifications")
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("comment_digest_minutes")
