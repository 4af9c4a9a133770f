"""Production and delivery in batches: dispatch batches of approved cases, the centre's cards per
batch, the parcel of the day, receiving a parcel in bulk (one transaction per case)."""

from datetime import timedelta

import pytest

from tests.support.api import snapshot
from tests.support.cases import actions, approved, case, do, start, task_of
from tests.support.production import PRODUCED, batch, cards, dispatch, member_codes, parcels
from webapp.services import access, clock
from webapp.services.cases import commands, tasks
from webapp.services.errors import Conflict, Forbidden, Invalid, NotFound
from webapp.services.production import batches, delivery
from webapp.services.uow import command

# --- dispatch --------------------------------------------------------------------------------


def test_a_lead_batches_every_approved_case_of_the_unit_not_yet_batched(world):
    first, second = approved(world), approved(world)
    start(world.police, world.resident())  # at verification: not ready
    approved(world, unit=world.commune_b, police=world.police_b)  # another unit
    assert [(u.code, n) for u, n in batches.ready_by_unit(world.lead)] == [("13300", 2)]
    assert [(u.code, n) for u, n in batches.ready_by_unit(world.supervisor)] == [("13300", 2), ("13301", 1)]
    code = dispatch(world.lead, send=False)
    assert code == "SX-13300-0001"
    made = batch(code)
    assert (made.kind, made.status, made.created_by_id) == ("dispatch", "open", world.lead.id)
    assert sorted(member_codes(code)) == sorted([first, second])
    assert batches.ready_by_unit(world.lead) == []
    third = approved(world)
    assert dispatch(world.lead, send=False) == "SX-13300-0002"
    assert member_codes("SX-13300-0002") == [third]


def test_nothing_to_batch_is_a_conflict_and_changes_nothing(world):
    start(world.police, world.resident())
    before = snapshot()
    with pytest.raises(Conflict) as caught, command():
        batches.create_dispatch(world.lead, "13300")
    assert "chưa vào lô" in caught.value.message.vi
    assert snapshot() == before


@pytest.mark.parametrize(
    ("who", "unit", "error", "field"),
    [
        ("police", "13300", Forbidden, None),
        ("justice", "13300", Forbidden, None),
        ("supervisor", "13300", Forbidden, None),
        ("production", "13300", Forbidden, None),
        ("lead", "13301", Invalid, "unit"),  # not in the lead's subtree
        ("lead", "99999", Invalid, "unit"),
        ("lead", None, Invalid, "unit"),
    ],
)
def test_only_a_lead_or_admin_batches_their_own_units(world, who, unit, error, field):
    approved(world)
    approved(world, unit=world.commune_b, police=world.police_b)
    before = snapshot()
    with pytest.raises(error) as caught, command():
        batches.create_dispatch(getattr(world, who), unit)
    if field:
        assert set(caught.value.fields) == {field}
    assert snapshot() == before


def test_an_admin_batches_any_unit_of_the_province(world):
    code = approved(world, unit=world.commune_b, police=world.police_b)
    assert member_codes(dispatch(world.admin, "13301")) == [code]


def test_sending_opens_the_batch_to_the_centre_once(world):
    approved(world)
    code = dispatch(world.lead, send=False)
    assert batches.get_batch(world.lead, code).status == "open"
    with pytest.raises(NotFound):  # the centre does not see a batch still being prepared
        batches.get_batch(world.production, code)
    for user, error in ((world.police, Forbidden), (world.police_b, NotFound), (world.justice, Forbidden)):
        with pytest.raises(error), command():
            batches.send(user, code)
    with command():
        batches.send(world.lead, code)
    assert batch(code).status == "sent"
    assert batches.get_batch(world.production, code).code == code
    before = snapshot()
    with pytest.raises(Conflict), command():
        batches.send(world.lead, code)
    assert snapshot() == before


def test_the_system_batches_and_sends_every_unit_with_ready_cases(world):
    a, b = approved(world), approved(world, unit=world.commune_b, police=world.police_b)
    made = batches.dispatch_all()
    assert made == ["SX-13300-0001", "SX-13301-0001"]
    assert [batch(c).status for c in made] == ["sent", "sent"]
    assert (member_codes(made[0]), member_codes(made[1])) == ([a], [b])
    assert batch(made[0]).created_by_id is None
    assert batches.dispatch_all() == []


def test_who_sees_which_batches(world):
    approved(world)
    approved(world, unit=world.commune_b, police=world.police_b)
    open_a = dispatch(world.lead, send=False)
    sent_b = dispatch(world.admin, "13301")

    def listed(user, **kw):
        rows, total = batches.list_batches(user, kw.get("kind"), kw.get("status"), kw.get("unit"), 1, 50)
        assert total == len(rows)
        return sorted(r.batch.code for r in rows)

    assert listed(world.police) == [open_a]
    assert listed(world.supervisor) == [open_a, sent_b]
    assert listed(world.supervisor, unit="13301") == [sent_b]
    assert listed(world.supervisor, status="open") == [open_a]
    assert listed(world.supervisor, kind="delivery") == []
    assert listed(world.production) == [sent_b]
    assert listed(world.outsider) == []
    with pytest.raises(NotFound):
        batches.get_batch(world.outsider, sent_b)
    for user in (world.justice, world.approval):
        with pytest.raises(Forbidden):
            batches.list_batches(user, None, None, None, 1, 50)
        with pytest.raises(Forbidden):
            batches.get_batch(user, sent_b)
    with pytest.raises(NotFound):
        batches.get_batch(world.police, "SX-00000-0001")


# --- cards back ------------------------------------------------------------------------------


def test_the_centre_answers_a_batch_and_its_cards_travel_back_as_a_parcel(world):
    codes = [approved(world) for _ in range(3)]
    code = dispatch(world.lead)
    result = delivery.record_cards(world.production, code, cards(*codes[:2]))
    assert (sorted(result.done), result.unchanged, result.failed) == (sorted(codes[:2]), [], [])
    assert [case(c).current_steps for c in codes] == ["receive_card", "receive_card", "await_card_production"]
    assert batch(code).status == "sent"  # one case still waits
    listed = {m.case_code: (m.card_number, m.state) for m in batches.members(batch(code))}
    assert listed[codes[0]] == (f"C{codes[0][-6:]}", "produced")
    assert listed[codes[2]] == (None, "waiting")
    (parcel,) = parcels()
    assert (parcel.code, parcel.status, parcel.created_by_id) == (
        "GT-13300-0001",
        "sent",
        world.production.id,
    )
    assert sorted(member_codes(parcel.code)) == sorted(codes[:2])
    delivery.record_cards(world.production, code, cards(codes[2]))
    assert batch(code).status == "received" and batch(code).closed_at is not None
    (parcel,) = parcels()  # the same day's parcel
    assert len(member_codes(parcel.code)) == 3


def test_a_repeated_batch_of_cards_changes_nothing(world):
    codes = [approved(world) for _ in range(2)]
    code = dispatch(world.lead)
    delivery.record_cards(world.production, code, cards(*codes))
    before = snapshot()
    again = delivery.record_cards(world.production, code, cards(*codes))
    assert (again.done, sorted(again.unchanged), again.failed) == ([], sorted(codes), [])
    assert snapshot() == before


def test_a_case_in_conflict_is_reported_and_the_others_go_on(world):
    codes = [approved(world) for _ in range(4)]
    code = dispatch(world.lead)
    delivery.record_cards(world.production, code, cards(codes[0]))
    with command():
        commands.withdraw(world.police, codes[1], "Công dân rút hồ sơ")
    stranger = approved(world)  # not in the batch
    result = delivery.record_cards(
        world.production,
        code,
        [*cards(codes[0], number="X{}"), *cards(codes[1], codes[2], codes[3], stranger)],
    )
    assert sorted(result.done) == sorted(codes[2:])
    failed = {c: type(e) for c, e in result.failed}
    assert failed == {codes[0]: Conflict, codes[1]: Conflict, stranger: NotFound}
    assert case(stranger).current_steps == "await_card_production"
    assert case(codes[0]).current_steps == "receive_card"
    assert batch(code).status == "received"  # nothing in it waits any more (one was withdrawn)


def test_cards_for_a_batch_not_sent_or_not_a_dispatch_batch(world):
    approved(world)
    code = dispatch(world.lead, send=False)
    before = snapshot()
    with pytest.raises(Conflict):
        delivery.record_cards(world.admin, code, [])
    with pytest.raises(NotFound):
        delivery.record_cards(world.production, code, [])
    with pytest.raises(Forbidden):
        delivery.record_cards(world.lead, code, [])
    assert snapshot() == before


def test_each_unit_gets_its_own_parcel_and_a_new_one_each_day(world):
    a1, a2 = approved(world), approved(world)
    b1 = approved(world, unit=world.commune_b, police=world.police_b)
    dispatch(world.lead)
    dispatch(world.admin, "13301")
    delivery.record_cards(world.production, "SX-13300-0001", cards(a1))
    delivery.record_cards(world.production, "SX-13301-0001", cards(b1))
    assert [p.code for p in parcels("13300")] == ["GT-13300-0001"]
    assert [p.code for p in parcels("13301")] == ["GT-13301-0001"]
    with command():  # yesterday's parcel is on its way already
        batch("GT-13300-0001").created_at = clock.now() - timedelta(days=1)
    delivery.record_cards(world.production, "SX-13300-0001", cards(a2))
    assert [(p.code, member_codes(p.code)) for p in parcels("13300")] == [
        ("GT-13300-0001", [a1]),
        ("GT-13300-0002", [a2]),
    ]


# --- receiving -------------------------------------------------------------------------------


def produced(world, n=3) -> tuple[str, list[str]]:
    codes = [approved(world) for _ in range(n)]
    delivery.record_cards(world.production, dispatch(world.lead), cards(*codes))
    return parcels()[0].code, sorted(codes)


def test_officers_receive_the_ticked_cards_and_the_parcel_closes_when_all_are_in(world):
    parcel, codes = produced(world)
    result = delivery.receive(world.police, parcel, codes[:2])
    assert (sorted(result.done), result.unchanged, result.failed) == (codes[:2], [], [])
    assert [case(c).current_steps for c in codes] == ["hand_over_card", "hand_over_card", "receive_card"]
    assert batch(parcel).status == "sent"
    states = {m.case_code: m.state for m in batches.members(batch(parcel))}
    assert states == {codes[0]: "received", codes[1]: "received", codes[2]: "to_receive"}
    again = delivery.receive(world.police2, parcel, codes)
    assert (again.done, sorted(again.unchanged), again.failed) == ([codes[2]], codes[:2], [])
    assert batch(parcel).status == "received" and batch(parcel).closed_at is not None
    for code in codes:  # each through tasks.complete: audited as the officer's completion
        assert ("completed", "receive_card") in actions(code)
    do(world.police, codes[0], "hand_over_card", {"received_by": "self"})
    assert case(codes[0]).status == "issued"


def test_a_card_held_by_another_officer_is_reported_and_the_others_received(world):
    parcel, codes = produced(world)
    with command():
        tasks.claim(world.police2, task_of(codes[1], "receive_card").id)
    result = delivery.receive(world.police, parcel, codes)
    assert sorted(result.done) == [codes[0], codes[2]]
    ((failed, error),) = result.failed
    assert failed == codes[1] and isinstance(error, Conflict)
    assert case(codes[1]).current_steps == "receive_card"
    assert batch(parcel).status == "sent"


@pytest.mark.parametrize("picked", [[], ["HS-2026-999999"], "mixed", [None]])
def test_receiving_nothing_or_a_case_not_in_the_parcel_is_invalid_and_changes_nothing(world, picked):
    parcel, codes = produced(world, 2)
    other = approved(world)
    picked = [codes[0], other] if picked == "mixed" else picked
    before = snapshot()
    with pytest.raises(Invalid) as caught:
        delivery.receive(world.police, parcel, picked)
    assert set(caught.value.fields) == {"cases"}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("justice", Forbidden),
        ("supervisor", Forbidden),
        ("admin", Forbidden),
        ("police_b", NotFound),
        ("outsider", NotFound),
    ],
)
def test_only_officers_of_the_unit_receive(world, who, error):
    parcel, codes = produced(world, 1)
    before = snapshot()
    with pytest.raises(error):
        delivery.receive(getattr(world, who), parcel, codes)
    assert snapshot() == before
    assert access.can_receive_batches(world.lead, batch(parcel).unit)


def test_a_dispatch_batch_is_not_received(world):
    approved(world)
    code = dispatch(world.lead)
    with pytest.raises(Conflict):
        delivery.receive(world.police, code, member_codes(code))


def test_the_nightly_command_batches_every_unit(app, world):
    code = approved(world)
    result = app.test_cli_runner().invoke(args=["batches", "dispatch"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["SX-13300-0001", "1 batch(es) made"]
    assert (batch("SX-13300-0001").status, member_codes("SX-13300-0001")) == ("sent", [code])
    again = app.test_cli_runner().invoke(args=["batches", "dispatch", "--keep-open"])
    assert again.output.splitlines() == ["0 batch(es) made"]


def test_a_sent_batch_closes_when_its_last_waiting_case_leaves_another_way(world):
    first, second = approved(world), approved(world)
    code = dispatch(world.lead)
    with command():
        delivery.record_cards(world.production, code, cards(first))
    assert batch(code).status == "sent"  # the second still waits
    with command():  # the citizen withdraws: nothing in the batch waits any more
        commands.withdraw(world.police, second, "Công dân rút hồ sơ")
    assert batch(code).status == "received" and batch(code).closed_at is not None


def test_a_card_for_a_case_in_a_batch_not_yet_sent_leaves_the_batch_open(world):
    only = approved(world)
    code = dispatch(world.lead, send=False)
    with command():  # the single-card callback of API.md (as its view does), batch never sent
        produced, _changed = commands.record_card_produced(world.production, only, "C000000009", PRODUCED)
        delivery.on_card_produced(produced, "C000000009", world.production)
    assert batch(code).status == "open" and case(only).current_steps == "receive_card"
