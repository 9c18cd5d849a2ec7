"""verifiers, verifications and their test results

A verifier is a test suite and how to run it; a verification is one run of
it against an environment, with its counts; its test results are stored in
chunks as the run streams them, so memory stays flat however many tests run.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:20:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('verifiers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('plugin', sa.String(length=255), nullable=False),
    sa.Column('version', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=36), nullable=False),
    sa.Column('env_uuid', sa.String(length=36), nullable=True),
    sa.Column('settings', JSON, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('verifiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verifiers_uuid'), ['uuid'], unique=True)
        batch_op.create_index(batch_op.f('ix_verifiers_name'), ['name'], unique=True)

    op.create_table('verifications',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('verifier_uuid', sa.String(length=36), nullable=False),
    sa.Column('env_uuid', sa.String(length=36), nullable=True),
    sa.Column('env_name', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=36), nullable=False),
    sa.Column('tags', JSON, nullable=False),
    sa.Column('run_args', JSON, nullable=False),
    sa.Column('verifier_version', sa.String(length=255), nullable=False),
    sa.Column('tests_count', sa.Integer(), nullable=False),
    sa.Column('success', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('expected_failures', sa.Integer(), nullable=False),
    sa.Column('unexpected_success', sa.Integer(), nullable=False),
    sa.Column('tests_duration', sa.Float(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('imported_from', sa.String(length=1024), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['verifier_uuid'], ['verifiers.uuid'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verifications_uuid'), ['uuid'], unique=True)
        batch_op.create_index(batch_op.f('ix_verifications_verifier_uuid'), ['verifier_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_verifications_env_uuid'), ['env_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_verifications_status'), ['status'], unique=False)

    op.create_table('verification_results',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('verification_uuid', sa.String(length=36), nullable=False),
    sa.Column('chunk_order', sa.Integer(), nullable=False),
    sa.Column('tests', JSON, nullable=False),
    sa.ForeignKeyConstraint(['verification_uuid'], ['verifications.uuid'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('verification_results', schema=None) as batch_op:
        batch_op.create_index('ix_verification_results_chunk', ['verification_uuid', 'chunk_order'], unique=False)


def downgrade() -> None:
    op.drop_table('verification_results')
    op.drop_table('verifications')
    op.drop_table('verifiers')
