"""safety and privacy: what a person chose, and where their chat can be cleared from

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("country", sa.String(length=2), nullable=True))
        batch.add_column(
            sa.Column("track", sa.String(length=12), nullable=False, server_default="couples")
        )
        batch.add_column(sa.Column("paused", sa.String(length=12), nullable=True))
        batch.add_column(
            sa.Column("discreet", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("reminders_paused", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("safety_checked_on", sa.String(length=10), nullable=True))
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("last_message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("last_message_id")
    with op.batch_alter_table("people") as batch:
        for name in (
            "safety_checked_on",
            "reminders_paused",
            "discreet",
            "paused",
            "track",
            "country",
        ):
            batch.drop_column(name)
