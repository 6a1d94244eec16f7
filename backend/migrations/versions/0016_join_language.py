"""join the language branch (a person's explicitly chosen language) with sessions and My hope

Revision ID: 0016_join_language
Revises: 0015_join_sessions, 0014_language
"""
revision = "0016_join_language"
down_revision = ("0015_join_sessions", "0014_language")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
