"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 09:46:05.073528
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('envs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=36), nullable=False),
    sa.Column('spec', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('extras', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('envs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_envs_name'), ['name'], unique=True)
        batch_op.create_index(batch_op.f('ix_envs_uuid'), ['uuid'], unique=True)

    op.create_table('preferences',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('env_uuid', sa.String(length=36), nullable=True),
    sa.Column('env_name', sa.String(length=255), nullable=True),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=36), nullable=False),
    sa.Column('pass_sla', sa.Boolean(), nullable=True),
    sa.Column('input_task', sa.Text(), nullable=False),
    sa.Column('config', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('validation_errors', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('task_duration', sa.Float(), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.Column('hostname', sa.String(length=255), nullable=True),
    sa.Column('heartbeat', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_env_uuid'), ['env_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_uuid'), ['uuid'], unique=True)

    op.create_table('subtasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('task_uuid', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=36), nullable=False),
    sa.Column('pass_sla', sa.Boolean(), nullable=True),
    sa.Column('duration', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_uuid'], ['tasks.uuid'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('subtasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subtasks_task_uuid'), ['task_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_subtasks_uuid'), ['uuid'], unique=True)

    op.create_table('workloads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('task_uuid', sa.String(length=36), nullable=False),
    sa.Column('subtask_uuid', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('args', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('runner_type', sa.String(length=64), nullable=False),
    sa.Column('runner', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('contexts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('contexts_results', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('sla', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('sla_results', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('hooks', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=36), nullable=False),
    sa.Column('pass_sla', sa.Boolean(), nullable=True),
    sa.Column('start_time', sa.BigInteger(), nullable=True),
    sa.Column('load_duration', sa.Float(), nullable=False),
    sa.Column('full_duration', sa.Float(), nullable=False),
    sa.Column('min_duration', sa.Float(), nullable=True),
    sa.Column('max_duration', sa.Float(), nullable=True),
    sa.Column('total_iteration_count', sa.Integer(), nullable=False),
    sa.Column('failed_iteration_count', sa.Integer(), nullable=False),
    sa.Column('expected_iterations', sa.Integer(), nullable=True),
    sa.Column('statistics', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subtask_uuid'], ['subtasks.uuid'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_uuid'], ['tasks.uuid'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('workloads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workloads_subtask_uuid'), ['subtask_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_workloads_task_uuid'), ['task_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_workloads_uuid'), ['uuid'], unique=True)

    op.create_table('workload_data',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workload_uuid', sa.String(length=36), nullable=False),
    sa.Column('task_uuid', sa.String(length=36), nullable=False),
    sa.Column('chunk_order', sa.Integer(), nullable=False),
    sa.Column('iteration_count', sa.Integer(), nullable=False),
    sa.Column('failed_iteration_count', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.Float(), nullable=False),
    sa.Column('finished_at', sa.Float(), nullable=False),
    sa.Column('chunk_data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['workload_uuid'], ['workloads.uuid'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('workload_data', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workload_data_task_uuid'), ['task_uuid'], unique=False)
        batch_op.create_index('ix_workload_data_workload_chunk', ['workload_uuid', 'chunk_order'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('workload_data', schema=None) as batch_op:
        batch_op.drop_index('ix_workload_data_workload_chunk')
        batch_op.drop_index(batch_op.f('ix_workload_data_task_uuid'))

    op.drop_table('workload_data')
    with op.batch_alter_table('workloads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workloads_uuid'))
        batch_op.drop_index(batch_op.f('ix_workloads_task_uuid'))
        batch_op.drop_index(batch_op.f('ix_workloads_subtask_uuid'))

    op.drop_table('workloads')
    with op.batch_alter_table('subtasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subtasks_uuid'))
        batch_op.drop_index(batch_op.f('ix_subtasks_task_uuid'))

    op.drop_table('subtasks')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_uuid'))
        batch_op.drop_index(batch_op.f('ix_tasks_status'))
        batch_op.drop_index(batch_op.f('ix_tasks_env_uuid'))

    op.drop_table('tasks')
    op.drop_table('preferences')
    with op.batch_alter_table('envs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_envs_uuid'))
        batch_op.drop_index(batch_op.f('ix_envs_name'))

    op.drop_table('envs')
