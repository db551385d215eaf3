"""staff texts per language on proposals and implementation updates

A rejection reason, a review note, the council's decision note and an implementation
update may be written in Swedish (required), English and Arabic; ``texts`` holds them as
``{lang: {field: text}}``, as rounds and areas already do.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("proposals", "implementation_updates")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("texts", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("texts")
