"""workload leaks: what a task still owned on its platforms after a workload

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('workloads') as batch:
        batch.add_column(sa.Column(
            'leaks', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('workloads') as batch:
        batch.drop_column('leaks')
