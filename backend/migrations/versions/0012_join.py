"""join the co-editing and security branches; tables the co-editing branch created or rebuilt get
SQLite's AUTOINCREMENT too (ids are never reused)

Revision ID: 0012_join
Revises: 0011_reminder_choices, 0009_security
"""
from alembic import op

revision = "0012_join"
down_revision = ("0011_reminder_choices", "0009_security")
branch_labels = None
depends_on = None

# 0008 created plan_op_receipt and rebuilt access_event (SQLite adds columns by copying a table).
TABLES = ("plan_op_receipt", "access_event")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL sequences never hand out an id twice
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
