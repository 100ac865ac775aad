"""languages: a portal user's locale, a program's language

Revision ID: 7a1c2e9f4b10
Revises: c15a7e1d0b20
Create Date: 2026-11-28 19:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7a1c2e9f4b10'
down_revision = 'c15a7e1d0b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), server_default='', nullable=False))
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='en', nullable=False))


def downgrade():
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locale')
