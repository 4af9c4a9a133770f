"""Dispatch batches and card parcels when two officers act at the same moment: row locks keep
one batch, one parcel and no deadlock (PostgreSQL; skipped on SQLite, which has one writer)."""

import threading

from sqlalchemy import select

from tests.support.cases import approved
from tests.support.production import PRODUCED, batch, cards, dispatch, member_codes, parcels
from webapp.models import BatchCase, User, db
from webapp.services.cases import commands
from webapp.services.errors import Conflict
from webapp.services.production import batches, delivery
from webapp.services.uow import command


def _together(app, jobs) -> list:
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        with app.app_context():
            try:
                barrier.wait()
                results[i] = job()
            except Exception as exc:  # noqa: BLE001 - the test looks at what each got
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_leads_batching_at_once_make_one_batch(app, world, postgres_only):
    codes = [approved(world) for _ in range(3)]

    def make():
        with command():
            lead = db.session.scalar(select(User).where(User.username == "lead_a"))
            return batches.create_dispatch(lead, "13300").code

    results = _together(app, [make, make])
    assert sorted(map(type, results), key=str) == sorted([str, Conflict], key=str), results
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count()).select_from(BatchCase)) == len(codes)


def test_cards_delivered_at_once_close_the_batch_and_share_one_parcel(app, world, postgres_only):
    """A's transaction has delivered its card and not yet committed when B delivers the last one:
    B must wait for A (row locks), then see that nothing waits and close the batch; were the
    two not serialised, each would see the other's case still waiting and the batch stay open."""
    first, last = approved(world), approved(world)
    code = dispatch(world.lead)
    a_done, a_commit = threading.Event(), threading.Event()
    results = {}

    def producer():
        return db.session.scalar(select(User).where(User.username == "production"))

    def a():
        with app.app_context():
            try:
                with command():
                    case_, _ = commands.record_card_produced(producer(), first, "C1", PRODUCED)
                    delivery.on_card_produced(case_, "C1", producer())
                    a_done.set()
                    a_commit.wait(10)
                results["a"] = "ok"
            finally:
                db.session.remove()

    def b():
        with app.app_context():
            try:
                results["b"] = delivery.record_cards(producer(), code, cards(last)).done
            finally:
                db.session.remove()

    ta = threading.Thread(target=a)
    ta.start()
    assert a_done.wait(30)
    tb = threading.Thread(target=b)
    tb.start()
    tb.join(1.0)
    assert tb.is_alive(), "B should wait for A's lock"
    a_commit.set()
    ta.join(30)
    tb.join(30)
    assert results == {"a": "ok", "b": [last]}
    assert batch(code).status == "received"
    (parcel,) = parcels()
    assert sorted(member_codes(parcel.code)) == sorted([first, last])


def test_a_case_locked_by_a_command_can_still_be_put_in_a_batch(app, world, postgres_only):
    """A command holds the case's row lock (a card arriving: it goes on to lock the unit) while
    a lead batches the unit (it holds the unit and adds the case to the batch, whose foreign
    key check reads the case row). FOR NO KEY UPDATE on the case lets that check through; with
    FOR UPDATE the lead would wait on the command, and the command on the lead: a deadlock."""
    from sqlalchemy import text

    from webapp.services.cases import engine

    code = approved(world)
    locked, release = threading.Event(), threading.Event()

    def hold():
        with app.app_context():
            try:
                with command():
                    engine.lock_case(code=code)
                    locked.set()
                    release.wait(10)
            finally:
                db.session.remove()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(30)
        with command():
            db.session.execute(text("SET LOCAL lock_timeout = '3s'"))
            made = batches.create_dispatch(world.lead, "13300")
        assert member_codes(made.code) == [code]
    finally:
        release.set()
        holder.join(30)
