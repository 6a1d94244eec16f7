"""grounding: sessions, personal exercises, recommendations, chosen exercises, sharing

Revision ID: 0004_grounding
Revises: 0002_care_links
Create Date: 2026-11-23 16:51:26.005312
"""
from alembic import op
import sqlalchemy as sa
import backend.db


revision = '0004_grounding'
down_revision = '0002_care_links'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('grounding_chosen_exercise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('exercise_slug', sa.String(length=80), nullable=False),
    sa.Column('created_at', backend.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['user.id'], name=op.f('fk_grounding_chosen_exercise_client_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grounding_chosen_exercise')),
    sa.UniqueConstraint('client_id', 'exercise_slug', name='uq_grounding_chosen_exercise_once')
    )
    with op.batch_alter_table('grounding_chosen_exercise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grounding_chosen_exercise_client_id'), ['client_id'], unique=False)

    op.create_table('grounding_custom_exercise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('steps_text', sa.Text(), nullable=False),
    sa.Column('on_plan', sa.Boolean(), nullable=False),
    sa.Column('created_at', backend.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_grounding_custom_exercise_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['user.id'], name=op.f('fk_grounding_custom_exercise_client_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grounding_custom_exercise'))
    )
    with op.batch_alter_table('grounding_custom_exercise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grounding_custom_exercise_client_id'), ['client_id'], unique=False)

    op.create_table('grounding_recommendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('exercise_slug', sa.String(length=80), nullable=False),
    sa.Column('created_at', backend.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['user.id'], name=op.f('fk_grounding_recommendation_client_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['therapist_id'], ['user.id'], name=op.f('fk_grounding_recommendation_therapist_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grounding_recommendation')),
    sa.UniqueConstraint('therapist_id', 'client_id', 'exercise_slug', name='uq_grounding_recommendation_once')
    )
    with op.batch_alter_table('grounding_recommendation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grounding_recommendation_client_id'), ['client_id'], unique=False)

    op.create_table('grounding_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('exercise_slug', sa.String(length=80), nullable=False),
    sa.Column('started_at', backend.db.UTCDateTime(), nullable=False),
    sa.Column('duration_seconds', sa.Integer(), nullable=False),
    sa.Column('distress_before', sa.Integer(), nullable=True),
    sa.Column('distress_after', sa.Integer(), nullable=True),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('created_at', backend.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('distress_after BETWEEN 0 AND 10', name=op.f('ck_grounding_session_distress_after_range')),
    sa.CheckConstraint('distress_before BETWEEN 0 AND 10', name=op.f('ck_grounding_session_distress_before_range')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_grounding_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grounding_session')),
    sa.UniqueConstraint('client_uuid', name=op.f('uq_grounding_session_client_uuid'))
    )
    with op.batch_alter_table('grounding_session', schema=None) as batch_op:
        batch_op.create_index('ix_grounding_session_user_started', ['user_id', 'started_at'], unique=False)

    op.create_table('grounding_sharing',
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('share_log', sa.Boolean(), nullable=False),
    sa.Column('updated_at', backend.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['user.id'], name=op.f('fk_grounding_sharing_client_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_grounding_sharing'))
    )


def downgrade() -> None:
    op.drop_table('grounding_sharing')
    with op.batch_alter_table('grounding_session', schema=None) as batch_op:
        batch_op.drop_index('ix_grounding_session_user_started')

    op.drop_table('grounding_session')
    with op.batch_alter_table('grounding_recommendation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grounding_recommendation_client_id'))

    op.drop_table('grounding_recommendation')
    with op.batch_alter_table('grounding_custom_exercise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grounding_custom_exercise_client_id'))

    op.drop_table('grounding_custom_exercise')
    with op.batch_alter_table('grounding_chosen_exercise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grounding_chosen_exercise_client_id'))

    op.drop_table('grounding_chosen_exercise')
