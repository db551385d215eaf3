"""ballot kinds, minimum support, kept lot seed, published files

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from budgeting.models.base import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(
            sa.Column("ballot_kind", sa.String(length=16), nullable=False, server_default="ranked")
        )
        batch.add_column(
            sa.Column("points_total", sa.Integer(), nullable=False, server_default="10")
        )
        batch.add_column(
            sa.Column("points_per_project", sa.Integer(), nullable=False, server_default="5")
        )
        batch.add_column(
            sa.Column("min_project_score", sa.Integer(), nullable=False, server_default="1")
        )
        batch.add_column(sa.Column("lot_seed", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("ballot_ranks") as batch:
        batch.add_column(sa.Column("points", sa.Integer(), nullable=True))
    op.create_table(
        "published_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_published_files_area_id_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_published_files_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_files")),
        sa.UniqueConstraint(
            "round_id", "area_id", name=op.f("uq_published_files_round_id_area_id")
        ),
    )
    op.create_index(op.f("ix_published_files_round_id"), "published_files", ["round_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_published_files_round_id"), table_name="published_files")
    op.drop_table("published_files")
    with op.batch_alter_table("ballot_ranks") as batch:
        batch.drop_column("points")
    with op.batch_alter_table("rounds") as batch:
        for column in ("lot_seed", "min_project_score", "points_per_project", "points_total"):
            batch.drop_column(column)
        batch.drop_column("ballot_kind")
