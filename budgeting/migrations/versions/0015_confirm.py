"""confirming irreversible staff actions; a phase's messages only once

``used_confirmations`` holds the confirmations of irreversible staff actions (publish,
reject, merge, phase change) already spent, so one confirmation acts once.
``notifications.once_key`` (unique) marks the messages a round sends once per phase and
kind, whether its date arrives or staff change the phase by hand; the automatic
reminders already in the outbox get their key.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import budgeting.models.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PHASE_OF_KIND = {
    "ideas_open": "ideas",
    "voting_opens": "voting",
    "voting_closes": "voting",
    "survey": "followup",
}
"""The automatic reminders, and the phase each belongs to."""


def upgrade() -> None:
    op.create_table(
        "used_confirmations",
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("used_at", budgeting.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_used_confirmations")),
    )
    op.create_index(op.f("ix_used_confirmations_used_at"), "used_confirmations", ["used_at"])
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("once_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_notifications_once_key"), ["once_key"])
    for kind, phase in PHASE_OF_KIND.items():
        op.execute(
            sa.text(
                "UPDATE notifications SET once_key = 'round:' || CAST(round_id AS VARCHAR)"
                " || :suffix WHERE id IN (SELECT MIN(id) FROM notifications WHERE kind = :kind"
                " AND round_id IS NOT NULL AND participant_id IS NULL GROUP BY round_id)"
            ).bindparams(suffix=f":{phase}:{kind}", kind=kind)
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint(op.f("uq_notifications_once_key"), type_="unique")
        batch.drop_column("once_key")
    op.drop_index(op.f("ix_used_confirmations_used_at"), table_name="used_confirmations")
    op.drop_table("used_confirmations")
