"""paper ballots: each ballot's channel, and whether moderators may key in paper ballots

``ballots.channel`` names where a ballot came from (telegram, teams, whatsapp, console,
paper, import), so every count and the voting monitor can show ballots per channel. Rows
that exist are filled from their participant's (first) channel identity; a ballot with
no participant came from a pabulib import. ``rounds.moderators_enter_paper`` (default
off) lets moderators key in paper ballots; admins always may.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL_FROM_IDENTITY = """
UPDATE ballots SET channel = (
    SELECT channel_identities.channel FROM channel_identities
    WHERE channel_identities.participant_id = ballots.participant_id
    ORDER BY channel_identities.id LIMIT 1
)
WHERE participant_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM channel_identities
    WHERE channel_identities.participant_id = ballots.participant_id
)
"""


def upgrade() -> None:
    # plain ADD COLUMN, never a batch copy: on SQLite (foreign keys on) dropping the old
    # table would cascade to every row that refers to it
    op.add_column(
        "ballots",
        sa.Column("channel", sa.String(length=16), nullable=False, server_default="import"),
    )
    op.execute(FILL_FROM_IDENTITY)
    op.add_column(
        "rounds",
        sa.Column(
            "moderators_enter_paper", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("moderators_enter_paper")
    with op.batch_alter_table("ballots") as batch:
        batch.drop_column("channel")
