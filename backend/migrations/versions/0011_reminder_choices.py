"""reminder kinds are registered by features: a person's choices per registered kind

Revision ID: 0011_reminder_choices
Revises: 0008_coedit_holds
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_reminder_choices"
down_revision = "0008_coedit_holds"
branch_labels = None
depends_on = None

CHOICES = ("commitments", "daily", "plan_updated")


def upgrade() -> None:
    op.create_table(
        "notification_choice",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_notification_choice_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_notification_choice")),
    )
    for key in CHOICES:  # keep every choice people made
        op.execute(f'INSERT INTO notification_choice (user_id, key, enabled) SELECT user_id, \'{key}\', {key} '
                   f"FROM notification_settings")
    with op.batch_alter_table("notification_settings", schema=None) as batch_op:
        for key in CHOICES:
            batch_op.drop_column(key)


def downgrade() -> None:
    with op.batch_alter_table("notification_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commitments", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("daily", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("plan_updated", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.drop_table("notification_choice")
