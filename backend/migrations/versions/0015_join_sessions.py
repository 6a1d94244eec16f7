"""join the session branch (check-in, check-out, feedback, review dates, invite labels) with My hope

Revision ID: 0015_join_sessions
Revises: 0014_hope, 0014_sessions
"""
revision = "0015_join_sessions"
down_revision = ("0014_hope", "0014_sessions")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
