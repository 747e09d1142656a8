"""room search index: storey, status, area, number, name (answers searches without the wide rows)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 09:10:00
"""

from __future__ import annotations

from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.create_index(
            'ix_room_search', ['storey_id', 'status', 'measured_area_m2', 'number', 'name', 'global_id', 'unit_id'], unique=False
        )
        batch_op.drop_index('ix_room_storey_status')


def downgrade() -> None:
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.create_index('ix_room_storey_status', ['storey_id', 'status'], unique=False)
        batch_op.drop_index('ix_room_search')
