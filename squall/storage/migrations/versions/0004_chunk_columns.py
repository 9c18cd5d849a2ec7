"""chunk columns: a columnar copy of each chunk's timings, for fast reports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:30:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('workload_data') as batch:
        batch.add_column(sa.Column(
            'columns', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('workload_data') as batch:
        batch.drop_column('columns')
