"""a round split by area, theme or group (issue 18)

``rounds.split_kind`` says what the rows of ``areas`` are; ``one_ballot_per_part`` lets a
person vote in each theme. ``ballots.slot`` (0, or the theme's id) takes the place of the
participant in the unique keys, so the database still holds one ballot per person (and per
voting code) and slot. ``group_memberships`` keeps the group a person declared once;
``areas.requires_voting_code`` lets a group need a voting code (one issued for it, in a
batch of migration 0013, or for the whole round).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 09:30:00
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from budgeting.models.base import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


@contextmanager
def _ranks_kept() -> Iterator[None]:
    """SQLite rebuilds ``ballots`` to change its keys; dropping the old table would cascade
    to ``ballot_ranks`` (foreign keys are on), so the ranks are kept aside and put back."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMP TABLE kept_ranks AS SELECT * FROM ballot_ranks")
    yield
    if sqlite:
        op.execute("INSERT OR IGNORE INTO ballot_ranks SELECT * FROM kept_ranks")
        op.execute("DROP TABLE kept_ranks")


def upgrade() -> None:
    # plain ADD COLUMN, never a batch copy: on SQLite (foreign keys on) dropping the old
    # rounds or areas table would cascade to every area, proposal and ballot
    op.add_column(
        "rounds",
        sa.Column("split_kind", sa.String(length=8), nullable=False, server_default="area"),
    )
    op.add_column(
        "rounds",
        sa.Column("one_ballot_per_part", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "areas",
        sa.Column("requires_voting_code", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    with _ranks_kept(), op.batch_alter_table("ballots") as batch:
        batch.add_column(sa.Column("slot", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_constraint("uq_ballots_round_id_participant_id", type_="unique")
        batch.drop_constraint("uq_ballots_voting_code_id", type_="unique")
        batch.create_unique_constraint(
            "uq_ballots_round_id_participant_id_slot", ["round_id", "participant_id", "slot"]
        )
        batch.create_unique_constraint("uq_ballots_voting_code_id_slot", ["voting_code_id", "slot"])
    op.create_table(
        "group_memberships",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("declared_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_group_memberships_participant_id_participants",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name="fk_group_memberships_round_id_rounds",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name="fk_group_memberships_area_id_areas",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", "round_id", name="pk_group_memberships"),
    )
    op.create_index("ix_group_memberships_area_id", "group_memberships", ["area_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_group_memberships_area_id", table_name="group_memberships")
    op.drop_table("group_memberships")
    op.execute("DELETE FROM ballots WHERE slot <> 0")  # per-theme ballots have no older form
    with _ranks_kept(), op.batch_alter_table("ballots") as batch:
        batch.drop_constraint("uq_ballots_voting_code_id_slot", type_="unique")
        batch.drop_constraint("uq_ballots_round_id_participant_id_slot", type_="unique")
        batch.create_unique_constraint("uq_ballots_voting_code_id", ["voting_code_id"])
        batch.create_unique_constraint(
            "uq_ballots_round_id_participant_id", ["round_id", "participant_id"]
        )
        batch.drop_column("slot")
    with op.batch_alter_table("areas") as batch:
        batch.drop_column("requires_voting_code")
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("split_kind")
        batch.drop_column("one_ballot_per_part")
