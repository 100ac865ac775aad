"""marketers' view: a user's and a person's time zone, how a member joined, the program that brought a person in

Revision ID: 7c2e5a91d4b0
Revises: 7a1c2e9f4b10
Create Date: 2026-11-28 19:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c2e5a91d4b0'
down_revision = '7a1c2e9f4b10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default='', nullable=False))
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined_via', sa.String(length=10), server_default='portal', nullable=False))
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_program_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_people_source_program_id'), ['source_program_id'], unique=False)
        batch_op.create_foreign_key('fk_people_source_program_id_programs', 'programs',
                                    ['source_program_id'], ['id'], ondelete='SET NULL')
    # Walk-ins are the members the attendance sync created: their first change says so.
    op.execute("UPDATE members SET joined_via = 'walk-in' WHERE id IN (SELECT member_id FROM status_changes "
               "WHERE from_status = 'Not in Program' AND reason LIKE '%(not registered on the portal)')")
    # A person came in through their first membership.
    op.execute("UPDATE people SET source_program_id = (SELECT m.program_id FROM members m "
               "WHERE m.person_id = people.id ORDER BY m.id LIMIT 1)")


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint('fk_people_source_program_id_programs', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_people_source_program_id'))
        batch_op.drop_column('source_program_id')
        batch_op.drop_column('timezone')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('joined_via')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('timezone')
