"""voting codes issued in the admin: batches (round or area), letter numbers, revocation

A batch records who issued how many codes for which round or area, with the issuing
form's one-time token (unique, so a double submit cannot issue twice). A code of a batch
has its letter number; a revoked code can no longer be redeemed or vote.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import budgeting.models.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voting_code_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("form_token", sa.String(length=64), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("created_at", budgeting.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_voting_code_batches_area_id_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by"],
            ["staff_users.id"],
            name=op.f("fk_voting_code_batches_issued_by_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_voting_code_batches_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_code_batches")),
        sa.UniqueConstraint("form_token", name=op.f("uq_voting_code_batches_form_token")),
    )
    with op.batch_alter_table("voting_code_batches") as batch:
        batch.create_index(batch.f("ix_voting_code_batches_round_id"), ["round_id"], unique=False)
    with op.batch_alter_table("voting_codes") as batch:
        batch.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("serial", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("revoked_at", budgeting.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch.create_foreign_key(
            batch.f("fk_voting_codes_batch_id_voting_code_batches"),
            "voting_code_batches",
            ["batch_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_unique_constraint(
            batch.f("uq_voting_codes_batch_id_serial"), ["batch_id", "serial"]
        )


def downgrade() -> None:
    with op.batch_alter_table("voting_codes") as batch:
        batch.drop_constraint(batch.f("uq_voting_codes_batch_id_serial"), type_="unique")
        batch.drop_constraint(
            batch.f("fk_voting_codes_batch_id_voting_code_batches"), type_="foreignkey"
        )
        batch.drop_column("revoked_at")
        batch.drop_column("serial")
        batch.drop_column("batch_id")
    with op.batch_alter_table("voting_code_batches") as batch:
        batch.drop_index(batch.f("ix_voting_code_batches_round_id"))
    op.drop_table("voting_code_batches")
