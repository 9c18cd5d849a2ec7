"""workload seconds: per-second figures of a workload run with ``--results aggregate``

Such a workload stores no iteration rows; each second of its load (by the
iterations' end time) is one record of counts, busy time, atomic-action sums,
error types and percentiles, which the report's charts read.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 02:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workload_seconds',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('workload_uuid', sa.String(length=36), nullable=False),
    sa.Column('task_uuid', sa.String(length=36), nullable=False),
    sa.Column('second', sa.Integer(), nullable=False),
    sa.Column('data', JSON, nullable=False),
    sa.ForeignKeyConstraint(['workload_uuid'], ['workloads.uuid'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('workload_seconds', schema=None) as batch_op:
        batch_op.create_index('ix_workload_seconds_task_uuid', ['task_uuid'], unique=False)
        batch_op.create_index('ix_workload_seconds_workload_second', ['workload_uuid', 'second'], unique=False)


def downgrade() -> None:
    op.drop_table('workload_seconds')
