"""Audit records keep the explanation, the decisive span and the parts of each check.

Before this revision a record held the verdict, scores and cited sentence ids but not the words the
service answered with, so `GET /checks/{id}` could not show a journalist what they were told. Rows
stored before it have none of the three (null).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COLUMNS = (("explanation", sa.Text()), ("decisive_span", sa.JSON()), ("parts", sa.JSON()))


def upgrade() -> None:
    # A database adopted from before migrations may have been created with these columns already.
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("checks")}
    with op.batch_alter_table("checks") as batch:
        for name, kind in _COLUMNS:
            if name not in present:
                batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checks") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
