"""an index that covers counting: ballot ranks by project, position and points

Greedy needs only each project's points; with this index the database sums them from
the index alone (no table reads), which keeps a count of a million ballots within a
second or two.  It replaces the index on ``proposal_id`` alone, of which it is an
extension.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_ballot_ranks_tally", "ballot_ranks", ["proposal_id", "position", "points"]
    )
    op.drop_index("ix_ballot_ranks_proposal_id", table_name="ballot_ranks")


def downgrade() -> None:
    op.create_index("ix_ballot_ranks_proposal_id", "ballot_ranks", ["proposal_id"])
    op.drop_index("ix_ballot_ranks_tally", table_name="ballot_ranks")
