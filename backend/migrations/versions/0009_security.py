"""security: ids never reused on SQLite; sign-in attempts by kind and device;
sessions name their device; two-step sign-in (TOTP, recovery codes);
the security log; closed accounts and the notices therapists see

Revision ID: 0009_security
Revises: 0007_live_messages
"""
import sqlalchemy as sa
from alembic import op

import backend.db

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
    with op.batch_alter_table("login_attempt") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), server_default="login", nullable=False))
        batch_op.add_column(sa.Column("device", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_login_attempt_device"), ["device"], unique=False)
    with op.batch_alter_table("auth_session") as batch_op:
        batch_op.add_column(sa.Column("device_label", sa.String(length=80), server_default="", nullable=False))
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", backend.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_recovery_code_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("recovery_code") as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_user_id"), ["user_id"], unique=False)
    op.create_table(
        "security_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", backend.db.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_security_event_user_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_security_event_actor_id_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_event")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_security_event_at", "security_event", ["at"], unique=False)
    op.create_table(
        "closed_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("closed_at", backend.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closed_account")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "closed_client_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("client_name", sa.String(length=80), nullable=False),
        sa.Column("closed_at", backend.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["therapist_id"], ["user.id"], name=op.f("fk_closed_client_notice_therapist_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closed_client_notice")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_closed_client_notice_therapist_id", "closed_client_notice", ["therapist_id"], unique=False)


def downgrade() -> None:
    op.drop_table("closed_client_notice")
    op.drop_table("closed_account")
    op.drop_index("ix_security_event_at", table_name="security_event")
    op.drop_table("security_event")
    op.drop_table("recovery_code")
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_secret")
    with op.batch_alter_table("auth_session") as batch_op:
        batch_op.drop_column("device_label")
    with op.batch_alter_table("login_attempt") as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempt_device"))
        batch_op.drop_column("device")
        batch_op.drop_column("kind")
    _rebuild_with_autoincrement(False)
