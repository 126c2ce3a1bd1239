"""The hash of each stored answer, so a re-check compares answers by hash first.

Rows stored before this revision have none (NULL): the next re-check compares them in full, as
before, and fills it in. No backfill here: the hash covers the deadlines too, and computing it
belongs to the caseload's code, not to a migration that runs on every start.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("caseload_checks", sa.Column("answer_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    # batch mode: older SQLite drops a column only by copying the table
    with op.batch_alter_table("caseload_checks") as batch:
        batch.drop_column("answer_hash")
