"""persistent contexts: contexts set up once on an environment and shared by many tasks

``squall env setup-context`` stores what the contexts made (their state,
users' credentials included) against the environment; tasks run with
``--persistent-context NAME`` use it, and ``tasks.persistent_context``
records which one a task used.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 19:10:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('persistent_contexts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('env_uuid', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=36), nullable=False),
    sa.Column('config', JSON, nullable=False),
    sa.Column('state', JSON, nullable=False),
    sa.Column('results', JSON, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('persistent_contexts', schema=None) as batch_op:
        batch_op.create_index('ix_persistent_contexts_uuid', ['uuid'], unique=True)
        batch_op.create_index('ix_persistent_contexts_name', ['name'], unique=True)
        batch_op.create_index('ix_persistent_contexts_env_uuid', ['env_uuid'], unique=False)
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('persistent_context', sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('persistent_context')
    op.drop_table('persistent_contexts')
