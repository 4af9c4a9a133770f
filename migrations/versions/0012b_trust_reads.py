"""trust (reads): the access log refuses UPDATE and DELETE in the database itself, its unit
subtree filter gets a pattern index on PostgreSQL; the unused sign-in lockout columns go

The application only ever adds to `access_log` (models/audit.py refuses an update or delete in
the ORM); on PostgreSQL a trigger makes the database refuse them too, whoever asks, so a bug or
a hand-written statement cannot rewrite who read what. (TRUNCATE and dropping the table stay
with the database owner, as they must for a restore.) SQLite deployments are single-node trials:
the ORM's refusal is the rule there.

The supervisors' page filters `unit_path LIKE '/37/%'`: PostgreSQL turns a LIKE prefix into an
index range only with varchar_pattern_ops (see 0005), so ix_access_log_unit_at is rebuilt so.

`users.failed_logins` and `users.locked_until` belonged to the per-account lockout that the
throttle (views/accounts/throttle.py, per client address) replaced; nothing reads them.

Revision ID: 12b_trust_reads
Revises: 0013_trust
Create Date: 2026-12-02 10:50:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '12b_trust_reads'
down_revision = '0013_trust'
branch_labels = None
depends_on = None

PG_FUNCTION = """
CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'access_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""
PG_TRIGGER = """
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
FOR EACH ROW EXECUTE FUNCTION access_log_append_only()
"""


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
        op.drop_index('ix_access_log_unit_at', table_name='access_log')
        op.create_index(
            'ix_access_log_unit_at',
            'access_log',
            ['unit_path', 'at'],
            postgresql_ops={'unit_path': 'varchar_pattern_ops'},
        )
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ has it): a batch copy of `users` would drop
    # the table that every other table refers to.
    op.drop_column('users', 'locked_until')
    op.drop_column('users', 'failed_logins')


def downgrade():
    op.add_column('users', sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('users', sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.drop_index('ix_access_log_unit_at', table_name='access_log')
        op.create_index('ix_access_log_unit_at', 'access_log', ['unit_path', 'at'])
        op.execute('DROP TRIGGER access_log_append_only ON access_log')
        op.execute('DROP FUNCTION access_log_append_only()')
