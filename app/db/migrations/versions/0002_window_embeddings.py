"""Window embeddings: each sentence also stores the embedding of its window (previous sentence + it).

Retrieval compares claims with these windows on every check; storing them at ingestion saves embedding
them per request. Rows stored before this revision have none; retrieval embeds theirs on demand.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database adopted from before migrations may have been created with this column already.
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("sentences")}
    if "window_embedding" not in columns:
        with op.batch_alter_table("sentences") as batch:
            batch.add_column(sa.Column("window_embedding", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sentences") as batch:
        batch.drop_column("window_embedding")
