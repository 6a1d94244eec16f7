"""join the hope-media branch (photos, recordings and messages of hope) with the rest

Revision ID: 0017_join_media
Revises: 0016_join_language, 0014_media
"""
revision = "0017_join_media"
down_revision = ("0016_join_language", "0014_media")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
