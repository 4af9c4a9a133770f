"""The models and the migrations describe the same schema: `flask db migrate` on a database at
head finds nothing to do (else a model change lacks its migration, or the reverse)."""

import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from webapp.models import db


@pytest.mark.no_db
def test_autogenerate_finds_no_difference_between_models_and_migrations():
    with db.engine.connect() as connection, warnings.catch_warnings():
        # Expression indexes cannot be reflected on SQLite; Alembic says so and skips them.
        warnings.simplefilter("ignore")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
