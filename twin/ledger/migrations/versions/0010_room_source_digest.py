"""room source digest: what the model said about a room when it was last written

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows written before have none: the next version of their model compares them field by field.
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_digest', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.drop_column('source_digest')
