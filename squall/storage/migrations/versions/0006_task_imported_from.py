"""task imported_from: the UUID of the task an imported one was read from

An imported task is a copy of a run made elsewhere (or earlier, here):
trends counts each source run once, and reports say where it came from.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 13:55:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('imported_from', sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('imported_from')
