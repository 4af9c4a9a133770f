"""progress: case counts per unit, status and current steps, kept by triggers on cases

A province's progress page needs, per commune, how many cases are open at each step, in error
or issued. Counting a million cases on every view is 0.3-2 s even from a covering index
(measured on PostgreSQL); this table is the same GROUP BY, kept up to date by row triggers on
`cases` in the transaction that changes a case, so it cannot drift from the cases whichever
code path wrote them (commands, transfers, bulk loads). `flask stats rebuild-daily` recounts
it from `cases` all the same.

On SQLite, a later migration that rebuilds `cases` in batch mode (copy and move) drops these
triggers with the old table: such a migration must create them again (SQLITE below).

Revision ID: 0010_progress
Revises: 0008_supervision
Create Date: 2026-11-23 22:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_progress'
down_revision = '0008_supervision'
branch_labels = None
depends_on = None

UPSERT = (
    "INSERT INTO case_counts (unit_id, status, steps, count) "
    "VALUES (NEW.unit_id, NEW.status, NEW.current_steps, 1) "
    "ON CONFLICT (unit_id, status, steps) DO UPDATE SET count = case_counts.count + 1"
)
DECREMENT = (
    "UPDATE case_counts SET count = count - 1 "
    "WHERE unit_id = OLD.unit_id AND status = OLD.status AND steps = OLD.current_steps"
)
CHANGED = (
    "OLD.unit_id IS DISTINCT FROM NEW.unit_id OR OLD.status IS DISTINCT FROM NEW.status "
    "OR OLD.current_steps IS DISTINCT FROM NEW.current_steps"
)

# An update touches two rows (the old position and the new): it locks them in key order, so
# that two commands moving cases of one unit in opposite directions never deadlock.
POSTGRESQL = [
    f"""
    CREATE FUNCTION case_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND (NEW.unit_id, NEW.status, NEW.current_steps) < (OLD.unit_id, OLD.status, OLD.current_steps) THEN
            {UPSERT};
            {DECREMENT};
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            {DECREMENT};
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {UPSERT};
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER case_counts_insert_delete AFTER INSERT OR DELETE ON cases "
    "FOR EACH ROW EXECUTE FUNCTION case_counts_track()",
    "CREATE TRIGGER case_counts_update AFTER UPDATE OF unit_id, status, current_steps ON cases "
    f"FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION case_counts_track()",
]
# SQLite spells IS DISTINCT FROM as IS NOT.
SQLITE = [
    f"CREATE TRIGGER case_counts_insert AFTER INSERT ON cases BEGIN {UPSERT}; END",
    f"CREATE TRIGGER case_counts_delete AFTER DELETE ON cases BEGIN {DECREMENT}; END",
    "CREATE TRIGGER case_counts_update AFTER UPDATE OF unit_id, status, current_steps ON cases "
    f"WHEN {CHANGED.replace('IS DISTINCT FROM', 'IS NOT')} BEGIN {DECREMENT}; {UPSERT}; END",
]


def upgrade():
    op.create_table(
        'case_counts',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('steps', sa.String(length=255), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_case_counts_unit_id_units')),
        sa.PrimaryKeyConstraint('unit_id', 'status', 'steps', name=op.f('pk_case_counts')),
    )
    op.execute(
        "INSERT INTO case_counts (unit_id, status, steps, count) "
        "SELECT unit_id, status, current_steps, count(*) FROM cases GROUP BY unit_id, status, current_steps"
    )
    for statement in POSTGRESQL if op.get_bind().dialect.name == 'postgresql' else SQLITE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER case_counts_update ON cases")
        op.execute("DROP TRIGGER case_counts_insert_delete ON cases")
        op.execute("DROP FUNCTION case_counts_track()")
    else:
        for name in ('case_counts_insert', 'case_counts_delete', 'case_counts_update'):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table('case_counts')
