"""whether a person chose their language themselves (the sign-in page's choice sticks until then)

Revision ID: 0014_language
Revises: 0013_join_crisis
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_language"
down_revision = "0013_join_crisis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch rebuild), so SQLite keeps the table's AUTOINCREMENT.
    op.add_column("user", sa.Column("locale_chosen", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("locale_chosen")
