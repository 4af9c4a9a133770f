"""cooperation between units: requests from one unit to another, transfers as requests

A request ("đề nghị phối hợp") asks another unit to take a resident's application, verify
something, hand a card over, or accept a case (a transfer). The receiving unit's queue and the
sender's list read by unit path and status; the scope rule (the receiving unit sees the resident
while a request is open) reads by resident and status.

Revision ID: 0016_cooperation
Revises: 0012_name_search
Create Date: 2026-12-02 07:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016_cooperation'
down_revision = '0012_name_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cooperation_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('from_unit_id', sa.Integer(), nullable=False),
        sa.Column('from_unit_path', sa.String(length=255), nullable=False),
        sa.Column('to_unit_id', sa.Integer(), nullable=False),
        sa.Column('to_unit_path', sa.String(length=255), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('result_case_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_cooperation_requests_resident_id_residents')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_cooperation_requests_case_id_cases')),
        sa.ForeignKeyConstraint(['result_case_id'], ['cases.id'], name=op.f('fk_cooperation_requests_result_case_id_cases')),
        sa.ForeignKeyConstraint(['from_unit_id'], ['units.id'], name=op.f('fk_cooperation_requests_from_unit_id_units')),
        sa.ForeignKeyConstraint(['to_unit_id'], ['units.id'], name=op.f('fk_cooperation_requests_to_unit_id_units')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cooperation_requests_created_by_id_users')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_cooperation_requests_answered_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cooperation_requests')),
    )
    op.create_index('ix_cooperation_to', 'cooperation_requests', ['to_unit_path', 'status'],
                    postgresql_ops={'to_unit_path': 'varchar_pattern_ops'})
    op.create_index('ix_cooperation_from', 'cooperation_requests', ['from_unit_path', 'status'],
                    postgresql_ops={'from_unit_path': 'varchar_pattern_ops'})
    op.create_index('ix_cooperation_resident', 'cooperation_requests', ['resident_id', 'status'])
    op.create_index('ix_cooperation_case', 'cooperation_requests', ['case_id'])


def downgrade():
    op.drop_index('ix_cooperation_case', table_name='cooperation_requests')
    op.drop_index('ix_cooperation_resident', table_name='cooperation_requests')
    op.drop_index('ix_cooperation_from', table_name='cooperation_requests')
    op.drop_index('ix_cooperation_to', table_name='cooperation_requests')
    op.drop_table('cooperation_requests')
