"""correction loop: flagged records, the police desk's corrections, the law's due date

- residents: hometown, place_of_birth (what the police desk may correct) and id_mismatch, the part
  of the personal ID that disagrees with the record (stored and flagged, no longer refused), with
  a partial index for the listing's "Sai thông tin dân cư" filter;
- resident_corrections: the police desk's fixes, old -> new, with their basis and confirmation;
- import_jobs.flagged: rows stored but flagged, counted apart from the rejected ones;
- units.area_class: cities and towns / elsewhere / mountain, border and island (2014 law limits);
- cases.law, cases.legal_due_on: the law in force on the application date and the statutory
  return date; cases.id_decision: the lead's decision on an ID that disagrees with the record.

Revision ID: 0014_correction_loop
Revises: 0016_cooperation
Create Date: 2026-12-02 07:10:00.000000

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

# revision identifiers, used by Alembic.
revision = '0014_correction_loop'
down_revision = '0016_cooperation'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('residents') as batch:
        batch.add_column(sa.Column('hometown', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('place_of_birth', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('id_mismatch', sa.String(length=20), nullable=True))
    op.create_index(
        'ix_residents_unit_id_mismatch',
        'residents',
        ['permanent_unit_id'],
        sqlite_where=sa.text('id_mismatch IS NOT NULL'),
        postgresql_where=sa.text('id_mismatch IS NOT NULL'),
    )
    with op.batch_alter_table('import_jobs') as batch:
        batch.add_column(sa.Column('flagged', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('units') as batch:
        batch.add_column(sa.Column('area_class', sa.String(length=8), nullable=True))
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('law', sa.String(length=4), nullable=True))
        batch.add_column(sa.Column('legal_due_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('id_decision', sa.String(length=20), nullable=True))
    op.create_table(
        'resident_corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('changes', JSON, nullable=False),
        sa.Column('basis_kind', sa.String(length=30), nullable=False),
        sa.Column('basis_number', sa.String(length=50), nullable=False),
        sa.Column('basis_date', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=2000), nullable=True),
        sa.Column('by_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id']),
        sa.ForeignKeyConstraint(['by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_resident_corrections_resident_id', 'resident_corrections', ['resident_id'])


def downgrade():
    op.drop_index('ix_resident_corrections_resident_id', table_name='resident_corrections')
    op.drop_table('resident_corrections')
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('id_decision')
        batch.drop_column('legal_due_on')
        batch.drop_column('law')
    with op.batch_alter_table('units') as batch:
        batch.drop_column('area_class')
    with op.batch_alter_table('import_jobs') as batch:
        batch.drop_column('flagged')
    op.drop_index('ix_residents_unit_id_mismatch', table_name='residents')
    with op.batch_alter_table('residents') as batch:
        batch.drop_column('id_mismatch')
        batch.drop_column('place_of_birth')
        batch.drop_column('hometown')
