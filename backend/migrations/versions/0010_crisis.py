"""a therapist's clinic name and phone, printed on shared plans

Revision ID: 0010_crisis
Revises: 0007_live_messages
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_crisis"
down_revision = "0007_live_messages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clinic_name", sa.String(length=120), server_default="", nullable=False))
        batch_op.add_column(sa.Column("clinic_phone", sa.String(length=40), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("clinic_phone")
        batch_op.drop_column("clinic_name")
