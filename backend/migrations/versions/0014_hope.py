"""my hope, small wins and our agreement (issue 12): the "something I managed" notes and the
agreement's versions. My hope itself is plan items in four new sections (no schema change).

Revision ID: 0014_hope
Revises: 0013_join_crisis
"""
import sqlalchemy as sa
from alembic import op

import backend.db

revision = "0014_hope"
down_revision = "0013_join_crisis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_win",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", backend.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_plan_win_created_by_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_plan_win_plan_id_plan"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_win")),
        sa.UniqueConstraint("uuid", name=op.f("uq_plan_win_uuid")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_plan_win_plan_on", "plan_win", ["plan_id", "happened_on"], unique=False)
    op.create_table(
        "plan_agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("towards", sa.Text(), nullable=False),
        sa.Column("how", sa.Text(), nullable=False),
        sa.Column("expect", sa.Text(), nullable=False),
        sa.Column("focus", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("at", backend.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_plan_agreement_author_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_plan_agreement_plan_id_plan"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_agreement")),
        sa.UniqueConstraint("plan_id", "version", name="uq_plan_agreement_plan_version"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("plan_agreement")
    op.drop_index("ix_plan_win_plan_on", table_name="plan_win")
    op.drop_table("plan_win")
