"""photos, recordings and messages on a plan (hope_media)

Revision ID: 0014_media
Revises: 0013_join_crisis
"""
from alembic import op
import sqlalchemy as sa

revision = "0014_media"
down_revision = "0013_join_crisis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=32), nullable=False),
        sa.Column("item_uuid", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("shared_with_therapist", sa.Boolean(), nullable=False),
        sa.Column("file_name", sa.String(length=80), nullable=False),
        sa.Column("mime", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_plan_media_author_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_plan_media_plan_id_plan"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_media")),
        sa.UniqueConstraint("uuid", name=op.f("uq_plan_media_uuid")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_plan_media_plan_section", "plan_media", ["plan_id", "section"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_plan_media_plan_section", table_name="plan_media")
    op.drop_table("plan_media")
