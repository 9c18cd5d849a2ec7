"""workload load_started_at: the wall-clock time the load's clock started

Rate schedules and time triggers count from the moment every worker was
ready; the report's time axis counts from it too, so a hook at second N is
drawn at N, not early by however long the first iteration took to start.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:40:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('workloads') as batch:
        batch.add_column(sa.Column('load_started_at', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('workloads') as batch:
        batch.drop_column('load_started_at')
