"""two-step sign-in that holds: wrong codes counted across password rounds (with a growing wait),
and a registration link that works once

Revision ID: 0018_two_step_holds
Revises: 0017_join_media
"""
import sqlalchemy as sa
from alembic import op

import backend.db

revision = "0018_two_step_holds"
down_revision = "0017_join_media"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("code_failures", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("code_wait_until", backend.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("welcome_used_at", backend.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("welcome_used_at")
        batch_op.drop_column("code_wait_until")
        batch_op.drop_column("code_failures")
