"""cooperation between units (requests, transfers); night shifts, holiday openings; home visits

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
    # Stations: shifts across midnight (slots after midnight belong to the day the shift starts)
    # and public holidays a station's lead opens.
    with op.batch_alter_table('slots') as batch:
        batch.add_column(sa.Column('after_midnight', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'station_holiday_openings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('opened_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_station_holiday_openings_station_id_stations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_station_holiday_openings_opened_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_station_holiday_openings')),
        sa.UniqueConstraint('station_id', 'day', name=op.f('uq_station_holiday_openings_station_id')),
    )


    # Households (address, phone) and home-visit plans with their stops.
    op.create_table(
        'households',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.String(length=30), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('hamlet', sa.String(length=100), nullable=True),
        sa.Column('street', sa.String(length=150), nullable=True),
        sa.Column('house_number', sa.String(length=30), nullable=True),
        sa.Column('phone', sa.String(length=15), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_households_unit_id_units')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_households_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_households')),
        sa.UniqueConstraint('household_id', name=op.f('uq_households_household_id')),
    )
    op.create_index(op.f('ix_households_unit_id'), 'households', ['unit_id'])
    op.create_table(
        'visit_plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('unit_path', sa.String(length=255), nullable=False),
        sa.Column('team', sa.String(length=120), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_visit_plans_unit_id_units')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_visit_plans_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_plans')),
    )
    op.create_index(op.f('ix_visit_plans_unit_path'), 'visit_plans', ['unit_path'])
    op.create_table(
        'visit_stops',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('result', sa.String(length=10), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=True),
        sa.Column('reference', sa.String(length=60), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('visited_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('visited_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['plan_id'], ['visit_plans.id'], name=op.f('fk_visit_stops_plan_id_visit_plans'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_visit_stops_resident_id_residents')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_visit_stops_case_id_cases')),
        sa.ForeignKeyConstraint(['visited_by_id'], ['users.id'], name=op.f('fk_visit_stops_visited_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_stops')),
        sa.UniqueConstraint('plan_id', 'resident_id', name=op.f('uq_visit_stops_plan_id')),
    )
    op.create_index('ix_visit_stops_resident', 'visit_stops', ['resident_id'])


def downgrade():
    op.drop_index('ix_visit_stops_resident', table_name='visit_stops')
    op.drop_table('visit_stops')
    op.drop_index(op.f('ix_visit_plans_unit_path'), table_name='visit_plans')
    op.drop_table('visit_plans')
    op.drop_index(op.f('ix_households_unit_id'), table_name='households')
    op.drop_table('households')
    op.drop_table('station_holiday_openings')
    with op.batch_alter_table('slots') as batch:
        batch.drop_column('after_midnight')
    op.drop_index('ix_cooperation_case', table_name='cooperation_requests')
    op.drop_index('ix_cooperation_resident', table_name='cooperation_requests')
    op.drop_index('ix_cooperation_from', table_name='cooperation_requests')
    op.drop_index('ix_cooperation_to', table_name='cooperation_requests')
    op.drop_table('cooperation_requests')
