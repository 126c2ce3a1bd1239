"""Accounts: organisations, users, API tokens, the append-only audit; caseload per organisation.

Revision ID: 0003
Revises: 0001 (to be re-chained after 0002, the jobs table)
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LOCAL = "lokaal"  # the organisation of everything stored before accounts existed (and the CLI's)


def upgrade() -> None:
    op.create_table(
        "accounts_organisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("authorities", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "accounts_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(128), nullable=False, unique=True),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("accounts_organisations.id"),
            nullable=False,
        ),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.Text()),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("sessions_since", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_accounts_users_organisation_id", "accounts_users", ["organisation_id"])
    op.create_table(
        "accounts_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("accounts_users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_accounts_tokens_user_id", "accounts_tokens", ["user_id"])
    op.create_table(
        "accounts_audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(128)),
        sa.Column("organisation", sa.String(64)),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target_kind", sa.String(32)),
        sa.Column("target_id", sa.String(200)),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_accounts_audit_at", "accounts_audit", ["at"])
    op.create_index("ix_accounts_audit_organisation", "accounts_audit", ["organisation"])
    # append-only in the database too, not only in the application
    if op.get_bind().dialect.name == "sqlite":
        for what in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER accounts_audit_no_{what.lower()} BEFORE {what} ON accounts_audit "
                "BEGIN SELECT RAISE(ABORT, 'accounts_audit is append-only'); END"
            )
    elif op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION accounts_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'accounts_audit is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER accounts_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON accounts_audit FOR EACH STATEMENT EXECUTE FUNCTION accounts_audit_append_only()"
        )
    # Each caseload entry belongs to an organisation. The reference stays unique over the
    # whole database: making it unique per organisation means rebuilding the SQLite table,
    # which with foreign keys on would cascade-delete the stored answers (see docs/security.md).
    op.add_column(  # a plain ALTER TABLE ADD COLUMN, also on SQLite: no table rebuild
        "caseload_placements",
        sa.Column("organisation", sa.String(64), nullable=False, server_default=LOCAL),
    )
    op.create_index(
        "ix_caseload_placements_organisation_ref", "caseload_placements", ["organisation", "ref"]
    )


def downgrade() -> None:
    op.drop_index("ix_caseload_placements_organisation_ref", "caseload_placements")
    with op.batch_alter_table("caseload_placements") as batch:
        batch.drop_column("organisation")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER accounts_audit_append_only ON accounts_audit")
        op.execute("DROP FUNCTION accounts_audit_append_only()")
    op.drop_table("accounts_audit")
    op.drop_table("accounts_tokens")
    op.drop_table("accounts_users")
    op.drop_table("accounts_organisations")
