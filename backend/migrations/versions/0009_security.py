"""security: ids never reused on SQLite

Revision ID: 0009_security
Revises: 0007_live_messages
"""
from alembic import op

revision = "0009_security"
down_revision = "0007_live_messages"
branch_labels = None
depends_on = None

# Every table with an integer `id` key (backend.db.never_reuse_ids gives the models the same flag).
ID_TABLES = (
    "user", "auth_session", "login_attempt", "care_link", "plan", "plan_item", "plan_change",
    "commitment", "plan_invite", "plan_presence", "access_event",
    "grounding_session", "grounding_custom_exercise", "grounding_recommendation",
    "grounding_chosen_exercise", "push_subscription", "sent_reminder", "live_message",
)


def _rebuild_with_autoincrement(autoincrement: bool) -> None:
    """SQLite only: a table's AUTOINCREMENT is part of its CREATE statement, so rebuild it (rows,
    indexes and constraints are copied; env.py turns foreign keys off around migrations)."""
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL sequences never hand out an id twice
    for table in ID_TABLES:
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _rebuild_with_autoincrement(True)


def downgrade() -> None:
    _rebuild_with_autoincrement(False)
