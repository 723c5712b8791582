"""rituals and reminders: daily rituals, their deliveries, and where a person lives in time

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("quiet_from", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("quiet_to", sa.String(length=5), nullable=True))
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "rituals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.Column("days", sa.String(length=7), nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rituals_person_id", "rituals", ["person_id"])
    op.create_index("ix_rituals_next_due_at", "rituals", ["next_due_at"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ritual_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.String(length=10), nullable=False),
        sa.Column("prompt_id", sa.String(length=48), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snooze_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["ritual_id"], ["rituals.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ritual_id", "local_date", name="uq_deliveries_ritual_day"),
    )
    op.create_index("ix_deliveries_person_id", "deliveries", ["person_id"])
    op.create_index("ix_deliveries_snooze_until", "deliveries", ["snooze_until"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_snooze_until", table_name="deliveries")
    op.drop_index("ix_deliveries_person_id", table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_index("ix_rituals_next_due_at", table_name="rituals")
    op.drop_index("ix_rituals_person_id", table_name="rituals")
    op.drop_table("rituals")
    with op.batch_alter_table("people") as batch:
        for name in ("active", "quiet_to", "quiet_from", "timezone"):
            batch.drop_column(name)
