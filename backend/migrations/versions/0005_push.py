"""push: subscriptions, notification settings, sent reminders

Revision ID: 0005_push
Revises: 0002_care_links
Create Date: 2026-11-23 16:50:37.679297
"""
from alembic import op
import sqlalchemy as sa
import backend.db


revision = '0005_push'
down_revision = '0002_care_links'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('commitments', sa.Boolean(), nullable=False),
    sa.Column('daily', sa.Boolean(), nullable=False),
    sa.Column('daily_time', sa.Time(), nullable=False),
    sa.Column('plan_updated', sa.Boolean(), nullable=False),
    sa.Column('quiet_start', sa.Time(), nullable=True),
    sa.Column('quiet_end', sa.Time(), nullable=True),
    sa.Column('show_text', sa.Boolean(), nullable=False),
    sa.Column('updated_at', backend.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_settings_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings'))
    )
    op.create_table('sent_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('due_at', backend.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', backend.db.UTCDateTime(), nullable=False),
    sa.Column('created_at', backend.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', backend.db.UTCDateTime(), nullable=True),
    sa.Column('devices', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sent_reminder_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_reminder')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_sent_reminder_dedupe_key'))
    )
    with op.batch_alter_table('sent_reminder', schema=None) as batch_op:
        batch_op.create_index('ix_sent_reminder_status_expires', ['status', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sent_reminder_user_id'), ['user_id'], unique=False)

    op.create_table('push_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('auth_session_id', sa.Integer(), nullable=True),
    sa.Column('endpoint', sa.String(length=2048), nullable=False),
    sa.Column('p256dh', sa.String(length=128), nullable=False),
    sa.Column('auth', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('created_at', backend.db.UTCDateTime(), nullable=False),
    sa.Column('last_success_at', backend.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['auth_session_id'], ['auth_session.id'], name=op.f('fk_push_subscription_auth_session_id_auth_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_push_subscription_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscription')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_push_subscription_endpoint'))
    )
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscription_auth_session_id'), ['auth_session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_subscription_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscription_user_id'))
        batch_op.drop_index(batch_op.f('ix_push_subscription_auth_session_id'))
    op.drop_table('push_subscription')
    with op.batch_alter_table('sent_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_reminder_user_id'))
        batch_op.drop_index('ix_sent_reminder_status_expires')
    op.drop_table('sent_reminder')
    op.drop_table('notification_settings')
