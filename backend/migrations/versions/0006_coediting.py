"""co-editing: who has a plan open (one row per live editor stream)

Revision ID: 0006_coediting
Revises: 0003_safety_plans
Create Date: 2026-11-23 17:30:00
"""
from alembic import op
import sqlalchemy as sa
import backend.db


revision = '0006_coediting'
down_revision = '0003_safety_plans'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plan_presence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_seen', backend.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_presence_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_plan_presence_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_presence')),
    sa.UniqueConstraint('stream', name=op.f('uq_plan_presence_stream'))
    )
    op.create_index('ix_plan_presence_plan_seen', 'plan_presence', ['plan_id', 'last_seen'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_plan_presence_plan_seen', table_name='plan_presence')
    op.drop_table('plan_presence')
