"""Caseload: placements, checks (answers with rule-set hashes) and deadlines.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON()  # json, not jsonb: keeps the key order of the answer


def upgrade() -> None:
    op.create_table(
        "caseload_placements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ref", sa.String(64), nullable=False, unique=True),
        sa.Column("facts", Json, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "caseload_checks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "placement_id",
            sa.Integer(),
            sa.ForeignKey("caseload_placements.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("peildatum", sa.Date(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", Json, nullable=False),
        sa.Column("rulesets", Json, nullable=False),
    )
    op.create_index(
        "ix_caseload_checks_placement_current", "caseload_checks", ["placement_id", "current"]
    )
    op.create_table(
        "caseload_deadlines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "placement_id",
            sa.Integer(),
            sa.ForeignKey("caseload_placements.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("instrument", sa.String(64)),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(200)),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text()),
    )
    op.create_index("ix_caseload_deadlines_placement_id", "caseload_deadlines", ["placement_id"])
    op.create_index("ix_caseload_deadlines_due", "caseload_deadlines", ["due"])


def downgrade() -> None:
    op.drop_table("caseload_deadlines")
    op.drop_table("caseload_checks")
    op.drop_table("caseload_placements")
