"""stuck cases: indexes that let the supervisors' stuck list read its parts in order

The stuck list (webapp/services/supervision/stuck_query.py) is a UNION ALL of small parts, each with its own
ORDER BY and LIMIT, so that each reads an index in the list's order and stops after a page:

- ix_case_tasks_step_due gains case_id: tasks of a step due at the same moment (every task that
  became ready on one day shares its end-of-day deadline) come out in case order, so a page of
  the most overdue tasks does not sort a whole day's tasks first. The inbox's queries keep
  using it as before (same leading columns).
- ix_cases_production_late / ix_cases_production_unit: cases waiting for the card production
  centre, by the moment they became late (the production timer, or when it fired), over a
  province or within a unit. Partial: only cases at that wait.
- ix_cases_error_since: cases in error, by when they failed, with their unit path. Partial.

Revision ID: 0011_stuck
Revises: 0010_progress
Create Date: 2026-11-23 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_stuck'
down_revision = '0010_progress'
branch_labels = None
depends_on = None

PRODUCTION = "status = 'open' AND current_steps = 'await_card_production'"
ERROR = "status = 'error'"
SINCE = 'coalesce(next_timer_at, updated_at)'


def upgrade():
    op.drop_index('ix_case_tasks_step_due', table_name='case_tasks')
    op.create_index('ix_case_tasks_step_due', 'case_tasks', ['step', 'due_at', 'case_id'])
    op.create_index(
        'ix_cases_production_late',
        'cases',
        [sa.text(SINCE), 'id'],
        postgresql_where=sa.text(PRODUCTION),
        sqlite_where=sa.text(PRODUCTION),
    )
    op.create_index(
        'ix_cases_production_unit',
        'cases',
        ['unit_path', sa.text(SINCE), 'id'],
        postgresql_where=sa.text(PRODUCTION),
        sqlite_where=sa.text(PRODUCTION),
        postgresql_ops={'unit_path': 'varchar_pattern_ops'},
    )
    op.create_index(
        'ix_cases_error_since',
        'cases',
        ['updated_at', 'id'],
        postgresql_where=sa.text(ERROR),
        sqlite_where=sa.text(ERROR),
        postgresql_include=['unit_path'],  # sorting errors by unit needs no table access
    )


def downgrade():
    op.drop_index('ix_cases_error_since', table_name='cases')
    op.drop_index('ix_cases_production_unit', table_name='cases')
    op.drop_index('ix_cases_production_late', table_name='cases')
    op.drop_index('ix_case_tasks_step_due', table_name='case_tasks')
    op.create_index('ix_case_tasks_step_due', 'case_tasks', ['step', 'due_at'])
