"""Document ids are never reused on SQLite (AUTOINCREMENT).

Without it SQLite gives a new row the highest id plus one, so a document added after the newest one was
deleted took the deleted document's id: audit records of earlier checks then named another article,
and an instance whose index still held the deleted document's vectors kept them under the new one.
PostgreSQL sequences never reuse ids; there this revision changes nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _autoincrement(bind: sa.Connection) -> bool:
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'documents'").scalar()
    return "AUTOINCREMENT" in str(sql).upper()


def upgrade() -> None:
    bind = op.get_bind()
    # A database adopted from before migrations may have been created with AUTOINCREMENT already.
    if bind.dialect.name != "sqlite" or _autoincrement(bind):
        return
    # SQLite cannot alter a key: the table is copied into a new one. Foreign keys are off while
    # migrations run (app.db.migrate), so dropping the old table does not cascade to the sentences.
    with op.batch_alter_table("documents", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
        pass


def downgrade() -> None:
    # Revision 0002's code works with AUTOINCREMENT ids; copying the table back would only risk data.
    pass
