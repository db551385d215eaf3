"""the discussion: reply threads, staff answers, agreement, supports, public names

Comments now outlive their writer (``author_id`` is set to NULL by /forget, the comment
stays signed "deleted user"), may answer another comment, may be a staff answer; residents
agree with comments and support ideas; a participant may choose the name they sign with.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from budgeting.models.base import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _person_table(name: str, target: str) -> None:
    """A table of (target, participant) pairs, each at most once."""
    column = f"{target[:-1]}_id"
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(column, sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            [column],
            [f"{target}.id"],
            name=op.f(f"fk_{name}_{column}_{target}"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f(f"fk_{name}_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint(
            column, "participant_id", name=op.f(f"uq_{name}_{column}_participant_id")
        ),
    )
    op.create_index(op.f(f"ix_{name}_{column}"), name, [column])
    op.create_index(op.f(f"ix_{name}_participant_id"), name, ["participant_id"])


def upgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("public_name", sa.String(length=60), nullable=True))
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("staff_user_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reply_to_id", sa.Integer(), nullable=True))
        batch.drop_constraint("fk_comments_author_id_participants", type_="foreignkey")
        batch.create_foreign_key(
            "fk_comments_author_id_participants",
            "participants",
            ["author_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            "fk_comments_staff_user_id_staff_users",
            "staff_users",
            ["staff_user_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            "fk_comments_reply_to_id_comments",
            "comments",
            ["reply_to_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_comments_reply_to_id", ["reply_to_id"])
    _person_table("comment_agreements", "comments")
    _person_table("supports", "proposals")


def downgrade() -> None:
    for name, column in (("supports", "proposal_id"), ("comment_agreements", "comment_id")):
        op.drop_index(op.f(f"ix_{name}_participant_id"), table_name=name)
        op.drop_index(op.f(f"ix_{name}_{column}"), table_name=name)
        op.drop_table(name)
    with op.batch_alter_table("comments") as batch:
        batch.drop_index("ix_comments_reply_to_id")
        batch.drop_constraint("fk_comments_reply_to_id_comments", type_="foreignkey")
        batch.drop_constraint("fk_comments_staff_user_id_staff_users", type_="foreignkey")
        batch.drop_constraint("fk_comments_author_id_participants", type_="foreignkey")
        batch.create_foreign_key(
            "fk_comments_author_id_participants",
            "participants",
            ["author_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.drop_column("reply_to_id")
        batch.drop_column("staff_user_id")
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("public_name")
