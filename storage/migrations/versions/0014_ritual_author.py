"""ritual author: who wrote a shared ritual, so their words leave the partner's copy when
the link ends or they leave Mend

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rituals") as batch:
        batch.add_column(sa.Column("author_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rituals") as batch:
        batch.drop_column("author_id")
