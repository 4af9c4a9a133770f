"""name search: a trigram index on residents.name_key (PostgreSQL)

Officers search the inbox, the case list and the door-to-door listing by a name without
diacritics ("van anh" finds "Nguyễn Văn Ánh"): `residents.name_key LIKE '%van anh%'`. A B-tree
serves no LIKE with a leading wildcard, so ix_residents_name_key was never used for it (name_key
is read by nothing else) and only slowed every write. On PostgreSQL this rebuilds it, under the
same name, as a GIN index over trigrams (pg_trgm, gin_trgm_ops), which a LIKE '%...%' of three
characters or more can read; shorter keys still filter the rows another condition chose.

SQLite has no such index (its LIKE never uses one here): nothing changes there, the B-tree stays,
and the model's Index (postgresql_using/postgresql_ops) describes both databases.

Revision ID: 0012_name_search
Revises: 0011_stuck
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_name_search'
down_revision = '0011_stuck'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.drop_index('ix_residents_name_key', table_name='residents')
    op.create_index(
        'ix_residents_name_key',
        'residents',
        ['name_key'],
        postgresql_using='gin',
        postgresql_ops={'name_key': 'gin_trgm_ops'},
    )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_residents_name_key', table_name='residents')
    op.create_index('ix_residents_name_key', 'residents', ['name_key'])
    # pg_trgm stays: dropping an extension is the administrator's choice, not a schema step.
