"""safe said: the day someone told Mend they were safe after a possible signal, and the day
of their last full crisis response

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("safe_said_on", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("crisis_on", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("crisis_on")
        batch.drop_column("safe_said_on")
