"""inbox queue index: unit-subtree prefix search on PostgreSQL

The department queue filters case_tasks on `unit_path LIKE '/37/13384/%'` (the officer's unit
subtree). PostgreSQL can turn a LIKE prefix into an index range only with a pattern operator
class (or a database in the "C" collation; C.UTF-8 and en_US.UTF-8 do not count), so with the
plain index it scanned the whole table. This rebuilds ix_case_tasks_queue with
varchar_pattern_ops on unit_path (same columns, still serves equality). SQLite has no operator
classes and never uses an index for LIKE on a BINARY column: nothing changes there.

Revision ID: 0c3a9e5f1d27
Revises: b4b24e70c23c
Create Date: 2026-11-23 19:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0c3a9e5f1d27'
down_revision = 'b4b24e70c23c'
branch_labels = None
depends_on = None

COLUMNS = ['department', 'unit_path', 'due_at']


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_case_tasks_queue', table_name='case_tasks')
    op.create_index(
        'ix_case_tasks_queue', 'case_tasks', COLUMNS, postgresql_ops={'unit_path': 'varchar_pattern_ops'}
    )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_case_tasks_queue', table_name='case_tasks')
    op.create_index('ix_case_tasks_queue', 'case_tasks', COLUMNS)
