"""join the crisis-moment branch (clinic details, the country chosen at registration)

Revision ID: 0013_join_crisis
Revises: 0012_join, 0010_crisis
"""
revision = "0013_join_crisis"
down_revision = ("0012_join", "0010_crisis")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
