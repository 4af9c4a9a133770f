"""trust: account generations (sessions and tokens end on security changes), forced password
change, the administrators' audit and the append-only access log of personal-data reads

Revision ID: 0013_trust
Revises: 0014_correction_loop
Create Date: 2026-12-02 07:40:00.000000

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0013_trust'
down_revision = '0014_correction_loop'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(
            sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('generation', sa.Integer(), server_default='0', nullable=False))

    op.create_table(
        'admin_events',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=30), nullable=False),
        sa.Column('changes', JSON, nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_admin_events_actor_id_users')),
        sa.ForeignKeyConstraint(['target_id'], ['users.id'], name=op.f('fk_admin_events_target_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_events')),
    )
    op.create_index('ix_admin_events_target_at', 'admin_events', ['target_id', 'at'], unique=False)

    op.create_table(
        'access_log',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=30), nullable=False),
        sa.Column('case_code', sa.String(length=40), nullable=True),
        sa.Column('personal_id', sa.String(length=12), nullable=True),
        sa.Column('rows', sa.Integer(), nullable=True),
        sa.Column('what', sa.String(length=60), nullable=True),
        sa.Column('unit_path', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_access_log_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log')),
    )
    op.create_index('ix_access_log_unit_at', 'access_log', ['unit_path', 'at'], unique=False)
    op.create_index('ix_access_log_user_at', 'access_log', ['user_id', 'at'], unique=False)
    op.create_index('ix_access_log_case_code', 'access_log', ['case_code'], unique=False)
    op.create_index('ix_access_log_personal_id', 'access_log', ['personal_id'], unique=False)


def downgrade():
    op.drop_table('access_log')
    op.drop_table('admin_events')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('generation')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('session_generation')
        batch_op.drop_column('generation')
