"""[S7] flag a service whose admin lost the role; [S20] the binding stops keeping
the host's email and the approval setting

Revision ID: c15a7e1d0b20
Revises: b7d3e9a41c20
Create Date: 2026-11-28 19:50:00

"""
from alembic import op
import sqlalchemy as sa

import portal.models.types


revision = 'c15a7e1d0b20'
down_revision = 'b7d3e9a41c20'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('services', sa.Column('admin_lost_at', portal.models.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table('bindings') as batch:
        batch.drop_column('host_email')
        batch.drop_column('approval_automatic')


def downgrade():
    with op.batch_alter_table('bindings') as batch:
        batch.add_column(sa.Column('approval_automatic', sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column('host_email', sa.String(length=254), nullable=False,
                                   server_default=''))
    op.drop_column('services', 'admin_lost_at')
