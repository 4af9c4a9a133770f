"""listing: who listed, where away residents live, eligibility index

residents.listed_by_id: who set the listing status last (listed_at says when).
residents.away_unit_id: where an "away" resident lives now.
ix_residents_unit_card_birth: who must apply in a unit is card state + birth-date ranges
(with status and card_issued_on, so that counting reads the index alone).

Revision ID: 0007_listing
Revises: 0006_registry
Create Date: 2026-11-23 20:23:40.536644

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_listing'
down_revision = '0006_registry'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('away_unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            'ix_residents_unit_card_birth',
            ['permanent_unit_id', 'card_state', 'birth_date', 'status', 'card_issued_on'],
            unique=False,
        )
        batch_op.create_foreign_key(batch_op.f('fk_residents_away_unit_id_units'), 'units', ['away_unit_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_residents_listed_by_id_users'), 'users', ['listed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_residents_listed_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_residents_away_unit_id_units'), type_='foreignkey')
        batch_op.drop_index('ix_residents_unit_card_birth')
        batch_op.drop_column('away_unit_id')
        batch_op.drop_column('listed_by_id')
