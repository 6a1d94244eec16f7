"""op receipts (outcomes that changed nothing stay replayable); access events grouped per window

Revision ID: 0008_coedit_holds
Revises: 0007_live_messages
"""
from alembic import op
import sqlalchemy as sa
import backend.db

revision = "0008_coedit_holds"
down_revision = "0007_live_messages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_op_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("op_uuid", sa.String(length=64), nullable=False),
        sa.Column("op", sa.String(length=24), nullable=False),
        sa.Column("item_uuid", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("at", backend.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_plan_op_receipt_plan_id_plan"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_op_receipt")),
        sa.UniqueConstraint("op_uuid", name=op.f("uq_plan_op_receipt_op_uuid")),
    )
    with op.batch_alter_table("access_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_at", backend.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("count", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("access_event", schema=None) as batch_op:
        batch_op.drop_column("count")
        batch_op.drop_column("last_at")
    op.drop_table("plan_op_receipt")
