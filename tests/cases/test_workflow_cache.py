"""The per-process cache of restored workflows: a command on a case this process just advanced
skips the restore, and a workflow is never used for any other state than the one stored (a case
changed by another process, a rolled-back command, a state written behind the app's back)."""

import pytest
from sqlalchemy import update

from tests.support.cases import CLEAN, CORRECTION, DOB, case, do, finish_from_biometrics, start, task_of
from webapp.models import Case, db
from webapp.services import workflow_store
from webapp.services.cases import tasks
from webapp.services.errors import Invalid
from webapp.services.uow import command


@pytest.fixture
def cache():
    cache = workflow_store.engine().cache
    cache.clear()
    yield cache
    cache.clear()


def test_each_command_after_the_first_finds_the_workflow_it_left(world, cache):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    assert (cache.hits, cache.misses) == (1, 0)
    assert finish_from_biometrics(world, code).status == "issued"
    assert (cache.hits, cache.misses) == (6, 0)
    assert len(cache) == 0  # a closed case is not kept


def test_the_cached_path_stores_what_a_restore_every_time_stores(app, world, cache):
    """The same case path with the cache and with it off (size 0) gives the same steps, audit
    and final state: the cached workflow is the stored one."""
    results = []
    for size in (500, 0):
        cache.size = size
        code = start(world.police, world.resident())
        do(world.police, code, "verify_application", DOB)
        do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
        c = do(world.justice, code, "record_correction", CORRECTION)
        results.append((c.current_steps, c.status, c.version))
    cache.size = 500
    assert results[0] == results[1] == ("capture_biometrics,update_population_record", "open", 5)
    assert cache.hits == 3


def test_a_case_changed_by_another_process_is_restored_from_the_database(world, cache):
    """This process keeps the case's workflow at version 1; another process advances the case
    (simulated: the command runs without this process's entry, which is then put back). The
    entry's key no longer matches, and the command reads the stored state."""
    code = start(world.police, world.resident())
    ours = dict(cache._items)
    assert len(ours) == 1
    cache.clear()
    do(world.police, code, "verify_application", CLEAN)  # "the other process"
    cache.clear()
    cache._items.update(ours)  # this process knows only its old entry
    c = do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    assert c.current_steps == "approve_application"
    assert (cache.hits, cache.misses) == (0, 1)


def test_a_state_written_behind_the_apps_back_is_never_served_from_the_cache(world, cache):
    """Even with the same version number (a database restored from a backup, say), another
    stored state is another key."""
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    first = case(code)
    other = start(world.police, world.resident())
    do(world.police, other, "verify_application", DOB)
    # Put the other case's state (at the justice office) under the first case's id and version.
    with command():
        db.session.execute(update(Case).where(Case.id == first.id).values(state=case(other).state))
    with pytest.raises(Exception), command():  # noqa: B017 - the stored state has no such task
        tasks.complete(world.police, task_of(code, "capture_biometrics").id, {"fingerprints": "ok"})
    assert cache.hits == 2 and cache.misses == 1  # the last command restored what is stored


def test_a_command_that_rolls_back_leaves_nothing_in_the_cache(world, cache, monkeypatch):
    code = start(world.police, world.resident())
    task_id = task_of(code, "verify_application").id

    def refuse(*_args):
        raise Invalid({"papers": []})

    monkeypatch.setitem(tasks.STEP_HOOKS, "verify_application", refuse)
    with pytest.raises(Invalid), command():
        tasks.complete(world.police, task_id, CLEAN)
    assert len(cache) == 0  # the workflow the failed command advanced is gone
    monkeypatch.undo()
    c = do(world.police, code, "verify_application", CLEAN)
    assert c.current_steps == "capture_biometrics"
    assert (cache.hits, cache.misses) == (1, 1)
