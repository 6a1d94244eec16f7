"""live messages shared by worker processes on SQLite; joins the package branches

Revision ID: 0007_live_messages
Revises: 0004_grounding, 0005_push, 0006_coediting
"""
from alembic import op
import sqlalchemy as sa
import backend.db

revision = "0007_live_messages"
down_revision = ("0004_grounding", "0005_push", "0006_coediting")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=40), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("at", backend.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_message")),
    )
    with op.batch_alter_table("live_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_message_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("live_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_message_at"))
    op.drop_table("live_message")
