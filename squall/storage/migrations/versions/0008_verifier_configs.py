"""verifier configs: a verifier's configuration file per environment, and the one each run used

A Tempest verifier writes a tempest.conf for each environment it runs
against (``configure-verifier`` shows, extends or overrides it); every
verification keeps the configuration it ran with.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:10:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('verifier_configs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('verifier_uuid', sa.String(length=36), nullable=False),
    sa.Column('env_uuid', sa.String(length=36), nullable=False),
    sa.Column('config', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['verifier_uuid'], ['verifiers.uuid'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('verifier_configs', schema=None) as batch_op:
        batch_op.create_index('ix_verifier_configs_pair', ['verifier_uuid', 'env_uuid'], unique=True)
    with op.batch_alter_table('verifications') as batch:
        batch.add_column(sa.Column('config', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('verifications') as batch:
        batch.drop_column('config')
    op.drop_table('verifier_configs')
