"""Rule-set versions owned by organisations (engine/rulesets/store.py) and the generation
counter that tells every worker when what is in force changed.

Revision ID: 0004
Revises: 0001 (the lead re-chains it after 0002/0003)
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "ruleset_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ruleset_id", sa.String(200), nullable=False),
        sa.Column("authority", sa.String(64), nullable=False),
        sa.Column("organisation", sa.String(100), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("based_on", sa.Integer()),
        sa.Column("author", sa.String(200), nullable=False),
        _when("created_at", nullable=False),
        _when("updated_at", nullable=False),
        sa.Column("updated_by", sa.String(200)),
        sa.Column("submitted_by", sa.String(200)),
        _when("submitted_at"),
        sa.Column("reviewer", sa.String(200)),
        _when("reviewed_at"),
        sa.Column("review_comment", sa.Text()),
        sa.Column("verified_by", sa.String(200)),
        _when("verified_at"),
        sa.Column("published_by", sa.String(200)),
        _when("published_at"),
        sa.Column("published_text", sa.Text()),
        sa.Column("published_hash", sa.String(64)),
        sa.Column("generation", sa.Integer()),
        sa.Column("withdrawn_by", sa.String(200)),
        _when("withdrawn_at"),
        sa.Column("withdraw_reason", sa.Text()),
    )
    for column in ("ruleset_id", "authority", "organisation", "status"):
        op.create_index(f"ix_ruleset_versions_{column}", "ruleset_versions", [column])
    generation = op.create_table(
        "ruleset_generation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("generation", sa.Integer(), nullable=False),
    )
    op.bulk_insert(generation, [{"id": 1, "generation": 0}])


def downgrade() -> None:
    op.drop_table("ruleset_generation")
    op.drop_table("ruleset_versions")
