"""VNeID level 2 for people who already hold a chip card: a short request with its own three
steps (identity check, phone, activation), read by unit path and status (the inbox, the list
and the progress line) and by resident and status (one open request per resident)

Revision ID: 16b_vneid
Revises: 0013_trust
Create Date: 2026-12-02 10:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '16b_vneid'
down_revision = '12b_trust_reads'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'vneid_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('unit_path', sa.String(length=255), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('identity_method', sa.String(length=20), nullable=True),
        sa.Column('identity_by_id', sa.Integer(), nullable=True),
        sa.Column('identity_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('phone', sa.String(length=15), nullable=True),
        sa.Column('phone_by_id', sa.Integer(), nullable=True),
        sa.Column('phone_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('activated_by_id', sa.Integer(), nullable=True),
        sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('refused_step', sa.String(length=20), nullable=True),
        sa.Column('refused_reason', sa.Text(), nullable=True),
        sa.Column('refused_by_id', sa.Integer(), nullable=True),
        sa.Column('refused_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_vneid_requests_resident_id_residents')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_vneid_requests_unit_id_units')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_vneid_requests_created_by_id_users')),
        sa.ForeignKeyConstraint(['identity_by_id'], ['users.id'], name=op.f('fk_vneid_requests_identity_by_id_users')),
        sa.ForeignKeyConstraint(['phone_by_id'], ['users.id'], name=op.f('fk_vneid_requests_phone_by_id_users')),
        sa.ForeignKeyConstraint(['activated_by_id'], ['users.id'], name=op.f('fk_vneid_requests_activated_by_id_users')),
        sa.ForeignKeyConstraint(['refused_by_id'], ['users.id'], name=op.f('fk_vneid_requests_refused_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vneid_requests')),
    )
    op.create_index('ix_vneid_unit', 'vneid_requests', ['unit_path', 'status'],
                    postgresql_ops={'unit_path': 'varchar_pattern_ops'})
    op.create_index('ix_vneid_resident', 'vneid_requests', ['resident_id', 'status'])


def downgrade():
    op.drop_index('ix_vneid_resident', table_name='vneid_requests')
    op.drop_index('ix_vneid_unit', table_name='vneid_requests')
    op.drop_table('vneid_requests')
