"""security hardening: per-user session version, outbox delivery attempts

Revision ID: b7d3e9a41c20
Revises: 25de7fad303c
Create Date: 2026-11-28 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d3e9a41c20'
down_revision = '25de7fad303c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('attempts')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
