"""deployment history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:00:51.343912
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deployment_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('env_uuid', sa.String(length=36), nullable=True),
    sa.Column('env_name', sa.String(length=255), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('graph', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('task_uuid', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deployment_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployment_runs_env_uuid'), ['env_uuid'], unique=False)

    op.create_table('deployment_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('deployment_task_id', sa.Integer(), nullable=False),
    sa.Column('task_name', sa.String(length=255), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('time_start', sa.Float(), nullable=True),
    sa.Column('time_end', sa.Float(), nullable=True),
    sa.Column('summary', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['deployment_task_id'], ['deployment_runs.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deployment_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployment_history_deployment_task_id'), ['deployment_task_id'], unique=False)
        batch_op.create_index('ix_history_run_name', ['deployment_task_id', 'task_name'], unique=False)
        batch_op.create_index('ix_history_run_node', ['deployment_task_id', 'node_id'], unique=False)
        batch_op.create_index('ix_history_run_status', ['deployment_task_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('deployment_history', schema=None) as batch_op:
        batch_op.drop_index('ix_history_run_status')
        batch_op.drop_index('ix_history_run_node')
        batch_op.drop_index('ix_history_run_name')
        batch_op.drop_index(batch_op.f('ix_deployment_history_deployment_task_id'))

    op.drop_table('deployment_history')
    with op.batch_alter_table('deployment_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deployment_runs_env_uuid'))

    op.drop_table('deployment_runs')
