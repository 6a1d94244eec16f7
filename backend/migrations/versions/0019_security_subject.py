"""the security log keeps a closed account's events under a pseudonym (`subject`) instead of the
person, until the log's retention ends

Revision ID: 0019_security_subject
Revises: 0018_two_step_holds
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_security_subject"
down_revision = "0018_two_step_holds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch rebuild), so SQLite keeps the table's AUTOINCREMENT. Accounts
    # closed before this kept their events with no user and no pseudonym: nothing to fill in.
    op.add_column("security_event", sa.Column("subject", sa.String(length=24), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("security_event", schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("subject")
