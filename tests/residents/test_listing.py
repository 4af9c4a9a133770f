"""Who must apply (bpmn/listing_need.dmn turned into SQL) and the door-to-door listing service."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from tests.support.cases import start
from webapp.models import Resident, db
from webapp.services import workflow_store
from webapp.services.errors import Conflict, Forbidden, Invalid, NotFound
from webapp.services.residents import eligibility, listing
from webapp.services.uow import command
from workflows import load_bundle

TODAY = date(2026, 6, 15)


@pytest.fixture
def today():
    with time_machine.travel(datetime(2026, 6, 15, 5, 0, tzinfo=UTC), tick=False):
        yield TODAY


def aged(years: int, days_after_birthday: int = 30) -> date:
    return eligibility.years_before(TODAY, years) - timedelta(days=days_after_birthday)


def person(w, born: date, card: str = "none", issued: date | None = None, household=None, **kw) -> Resident:
    pid = w.resident(born=born, **kw)
    resident = db.session.scalar(select(Resident).where(Resident.personal_id == pid))
    with command():
        resident.card_state, resident.card_issued_on, resident.household_id = card, issued, household
    return resident


def must_ids(rule=None, day=TODAY) -> set[int]:
    rule = rule or eligibility.current_rule()
    return set(db.session.scalars(select(Resident.id).where(eligibility.must_apply(rule, day))))


# --- the rule --------------------------------------------------------------------------------


def test_the_table_becomes_a_few_date_ranges(app, today):
    rule = eligibility.current_rule()
    assert [(r.card_state, r.age_from, r.age_to, r.issued) for r in rule.regions] == [
        ("none", 14, None, ((-1, None),)),
        ("cmnd", 0, None, ((-1, None),)),
        ("chip", 14, 24, ((-1, 11),)),
        ("chip", 25, 39, ((-1, 22),)),
        ("chip", 40, 59, ((-1, 37),)),
        ("chip", 60, None, ((-1, 57),)),
    ]
    assert eligibility.current_rule() is rule  # derived once per spec version and law


CASES = [
    # card, age, issued at age (None: date unknown), must apply, reason
    ("none", 13, None, False, None),
    ("none", 14, None, True, "new_from_14"),
    ("none", 90, None, True, "new_from_14"),
    ("cmnd", 35, None, True, "switch_from_cmnd"),
    ("chip", 15, 14, False, None),
    ("chip", 15, 11, True, "exchange_at_14"),
    ("chip", 15, 12, False, None),  # issued within two years before 14: valid until 25
    ("chip", 24, 14, False, None),
    ("chip", 25, 22, True, "exchange_at_25"),
    ("chip", 25, 23, False, None),
    ("chip", 45, 20, True, "exchange_at_40"),  # missed the 25 exchange too
    ("chip", 45, 38, False, None),
    ("chip", 60, 57, True, "exchange_at_60"),
    ("chip", 75, 58, False, None),  # issued from 58 on: valid for life
    ("chip", 30, None, True, "exchange_at_25"),  # chip card without an issue date: go and check
]


@pytest.mark.parametrize(("card", "age", "issued_age", "must", "reason"), CASES)
def test_sql_and_the_table_agree_for_one_resident(world, today, card, age, issued_age, must, reason):
    born = aged(age)
    issued = None if issued_age is None else born.replace(year=born.year + issued_age) + timedelta(days=3)
    resident = person(world, born, card, issued)
    rule = eligibility.current_rule()
    assert (resident.id in must_ids(rule)) is must
    assert eligibility.reason(rule, resident, TODAY) == reason
    table = workflow_store.engine().current.decide(
        "listing_need",
        law="2023",
        card_state=card,
        age=age,
        issued_age=-1 if issued_age is None else issued_age,
    )
    assert bool(table.get("must_apply")) is must


def test_birthdays_count_to_the_day_even_on_29_february(world, today):
    leapling = person(world, date(2012, 2, 29))
    rule = eligibility.current_rule()
    assert leapling.id not in must_ids(rule, date(2026, 2, 28))  # 13 until the 28th is over
    assert leapling.id in must_ids(rule, date(2026, 3, 1))
    assert eligibility.reason(rule, leapling, date(2026, 2, 28)) is None
    assert eligibility.reason(rule, leapling, date(2026, 3, 1)) == "new_from_14"
    # The issue age, too, is exact: born 16 June 2000, 25 today; a card issued the day before
    # the 23rd birthday must be exchanged, one issued on the birthday need not.
    early = person(world, date(2000, 6, 16), "chip", date(2023, 6, 15))
    on_time = person(world, date(2000, 6, 16), "chip", date(2023, 6, 16))
    assert early.id in must_ids(rule) and on_time.id not in must_ids(rule)


def test_the_derived_rule_answers_like_the_table_everywhere_sampled(app):
    bundle = workflow_store.engine().current
    rule = eligibility.derive(bundle, "2023")
    rng = random.Random(5)
    for _ in range(150):
        card = rng.choice(eligibility.CARD_STATES)
        age = rng.randint(0, 130)
        issued = rng.randint(-1, age) if card == "chip" else -1
        want = dict(bundle.decide("listing_need", law="2023", card_state=card, age=age, issued_age=issued))
        assert rule.decide(card, age, issued) == want, (card, age, issued)


def test_under_the_2014_law_there_is_no_exchange_at_14(world, today, app, monkeypatch):
    child_card = person(world, aged(15), "chip", aged(15) + timedelta(days=2 * 365))  # issued at 11
    assert child_card.id in must_ids()
    monkeypatch.setitem(app.config, "IDENTITY_LAW", "2014")
    assert child_card.id not in must_ids()
    assert eligibility.current_rule().law == "2014"


def test_changing_a_row_of_the_table_changes_who_must_apply(world, today, app, monkeypatch):
    fifteen = person(world, aged(15))
    fifty = person(world, aged(50), "chip", aged(50) + timedelta(days=366 * 39))  # issued at 39
    assert {fifteen.id, fifty.id} & must_ids() == {fifteen.id}
    engine = workflow_store.engine()
    sources = dict(engine.current.sources)
    text = sources["listing_need.dmn"]
    # Row 0 (2023, no card): mandatory from 16 instead of 14; row 4 (2023, exchange at 40):
    # cards issued before 45 must be exchanged (a made-up rule, to see it follow the table).
    text = text.replace(
        '<inputEntry id="listing_need_r0_i2"><text>&gt;= 14</text>',
        '<inputEntry id="listing_need_r0_i2"><text>&gt;= 16</text>',
    ).replace(
        '<inputEntry id="listing_need_r1_i2"><text>&lt; 14</text>',
        '<inputEntry id="listing_need_r1_i2"><text>&lt; 16</text>',
    )
    text = text.replace(
        '<inputEntry id="listing_need_r4_i3"><text>&lt; 38</text>',
        '<inputEntry id="listing_need_r4_i3"><text>&lt; 45</text>',
    )
    assert text != sources["listing_need.dmn"]
    changed = load_bundle({**sources, "listing_need.dmn": text})
    monkeypatch.setattr(engine, "current", changed)
    rule = eligibility.current_rule()
    assert rule.version == changed.version
    assert {fifteen.id, fifty.id} & must_ids(rule) == {fifty.id}
    assert eligibility.reason(rule, fifty, TODAY) == "exchange_at_40"


# --- the listing -----------------------------------------------------------------------------


def _filters(**kw) -> listing.Filters:
    return listing.Filters(**kw)


def test_the_listing_shows_who_must_apply_and_who_applied(world, today):
    must = person(world, aged(30), name="Trần Văn Bình", household="HK-1")
    child = person(world, aged(10), name="Trần Thị Cúc", household="HK-1")
    valid_card = person(world, aged(30), "chip", aged(30) + timedelta(days=366 * 24), name="Lê Văn Dũng")
    applied = person(world, aged(40), name="Phạm Thị Én")
    start(world.police, applied.personal_id)
    with command():  # the new card is issued: no longer "must apply", but still counted
        applied.card_state, applied.card_issued_on = "chip", TODAY
    other_commune = person(world, aged(30), unit=world.commune_b)
    dead = person(world, aged(70), status="deceased")
    page = listing.search(world.police, _filters())
    assert [r.resident.id for r in page.rows] == [must.id, applied.id]  # household HK-1 first
    assert page.total == 2 and page.applied == 1 and page.counts == {"not_visited": 2}
    first, second = page.rows
    assert (first.reason, first.case_code, first.age) == ("new_from_14", None, 30)
    assert second.reason is None and second.case_code.startswith("HS-")
    assert page.unit == world.commune_a
    assert not {child.id, valid_card.id, dead.id} & {r.resident.id for r in page.rows}
    commune_b = listing.search(world.admin, _filters(unit="13301"))
    assert [r.resident.id for r in commune_b.rows] == [other_commune.id]
    # A province is listed commune by commune: the officer chooses one first.
    province = listing.search(world.admin, _filters(unit="37"))
    assert province.choose_commune and province.rows == [] and province.total == 0
    assert [u.code for u in listing.scope_units(world.admin)] == ["13300", "13301"]
    assert [u.code for u in listing.scope_units(world.police)] == ["13300"]


def test_search_filters_and_pages(world, today):
    with command():
        for n in range(53):
            world.resident(born=aged(20 + n % 50), name=f"Nguyễn Văn Số {n:02d}")
    ann = person(world, aged(33), name="Đỗ Thị Ánh", household="HK-77")
    ann_husband = person(world, aged(35), name="Vũ Văn Hùng", household="HK-77")
    first = listing.search(world.police, _filters())
    assert (first.total, len(first.rows), first.pages) == (55, 50, 2)
    second = listing.search(world.police, _filters(page=2))
    assert len(second.rows) == 5
    assert not {r.resident.id for r in first.rows} & {r.resident.id for r in second.rows}
    assert [r.resident.id for r in listing.search(world.police, _filters(q="do thi anh")).rows] == [ann.id]
    assert [r.resident.id for r in listing.search(world.police, _filters(q=ann.personal_id)).rows] == [ann.id]
    household = listing.search(world.police, _filters(household="HK-77"))
    assert {r.resident.id for r in household.rows} == {ann.id, ann_husband.id}
    assert listing.search(world.police, _filters(q="HK-77")).total == 2
    with command():
        listing.set_status(world.police, ann.id, listing.Change("home_visit", "Liệt giường"))
    visits = listing.search(world.police, _filters(status="home_visit"))
    assert [r.resident.id for r in visits.rows] == [ann.id]
    assert visits.counts["home_visit"] == 1 and visits.counts["not_visited"] == 54
    start(world.police, ann_husband.personal_id)
    assert listing.search(world.police, _filters(applied="yes")).total == 1
    assert listing.search(world.police, _filters(applied="no")).total == 54
    assert listing.search(world.police, _filters(q="khong co ai")).rows == []


def test_filters_read_from_the_url_fall_back_to_defaults():
    f = listing.Filters.from_args(
        {"status": "bogus", "applied": "maybe", "page": "x", "q": "  an  ", "unit": "", "household": " "}
    )
    assert (f.status, f.applied, f.page, f.q, f.unit, f.household) == (None, None, 1, "an", None, None)
    assert listing.Filters.from_args({"page": "-4"}).page == 1
    assert _filters(status="away", page=2).args(page=None) == {"status": "away"}


def test_the_listing_is_for_police_in_their_own_subtree(world, today):
    person(world, aged(30))
    with pytest.raises(NotFound):
        listing.search(world.police_b, _filters(unit="13300"))
    with pytest.raises(NotFound):
        listing.search(world.police, _filters(unit="37"))  # above their commune
    with pytest.raises(NotFound):
        listing.search(world.admin, _filters(unit="nope"))
    for role_user in (world.justice, world.supervisor, world.approval):
        with pytest.raises(Forbidden):
            listing.search(role_user, _filters())
    assert listing.search(world.lead, _filters()).total == 1


def test_away_records_where_the_resident_lives_now(world, today):
    resident = person(world, aged(30))
    with command():
        listing.set_status(world.police, resident.id, listing.Change("away", "  Đi làm   ở Hà Nội ", "00004"))
    db.session.expire_all()
    assert (resident.listing_status, resident.listing_note) == ("away", "Đi làm ở Hà Nội")
    assert resident.away_unit_id == world.other_commune.id
    assert resident.listed_by_id == world.police.id and resident.listed_at is not None
    with command():
        listing.set_status(world.police, resident.id, listing.Change("home_visit"))
    db.session.expire_all()
    assert (resident.listing_status, resident.away_unit_id, resident.listing_note) == (
        "home_visit",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        (listing.Change("booked"), "status", "set by an appointment"),
        (listing.Change("gone"), "status", "Choose a status"),
        (listing.Change("away", "x" * 301), "note", "at most 300"),
        (listing.Change("record_wrong", "   "), "note", "what is wrong"),
        (listing.Change("home_visit", away_unit="00004"), "away_unit", "only for a resident who is away"),
        (listing.Change("away", away_unit="99999"), "away_unit", "No unit “99999”"),
        (listing.Change("away", away_unit="13300"), "away_unit", "must differ from their permanent unit"),
        (listing.Change("deceased"), "confirm", "Tick the confirmation"),
    ],
)
def test_a_bad_change_names_the_field_and_changes_nothing(world, today, change, field, text):
    resident = person(world, aged(30))
    with pytest.raises(Invalid) as caught, command():
        listing.set_status(world.police, resident.id, change)
    assert list(caught.value.fields) == [field]
    assert text in caught.value.fields[field][0].en
    db.session.expire_all()
    assert (resident.listing_status, resident.status, resident.listed_at) == ("not_visited", "alive", None)


def test_deceased_needs_a_confirmation_both_ways(world, today):
    resident = person(world, aged(80))
    with command():
        listing.set_status(world.police, resident.id, listing.Change("deceased", "Mất 02/2026", confirm=True))
    db.session.expire_all()
    assert (resident.listing_status, resident.status) == ("deceased", "deceased")
    # Still in the listing (to correct a mistake), no longer among the living who must apply.
    assert [r.resident.id for r in listing.search(world.police, _filters(status="deceased")).rows] == [
        resident.id
    ]
    with pytest.raises(Invalid) as caught, command():
        listing.set_status(world.police, resident.id, listing.Change("not_visited"))
    assert list(caught.value.fields) == ["confirm"]
    with command():
        listing.set_status(world.police, resident.id, listing.Change("not_visited", confirm=True))
    db.session.expire_all()
    assert (resident.listing_status, resident.status) == ("not_visited", "alive")


def test_a_change_on_a_stale_row_is_a_conflict(world, today):
    resident = person(world, aged(30))
    with command():
        listing.set_status(world.police2, resident.id, listing.Change("home_visit"), expected="")
    with pytest.raises(Conflict), command():
        listing.set_status(world.police, resident.id, listing.Change("away"), expected="")
    db.session.expire_all()
    assert (resident.listing_status, resident.listed_by_id) == ("home_visit", world.police2.id)
    with command():
        listing.set_status(
            world.police, resident.id, listing.Change("away"), expected=resident.listed_at.isoformat()
        )
    db.session.expire_all()
    assert resident.listing_status == "away"


def test_residents_out_of_scope_or_unknown_are_not_found(world, today):
    elsewhere = person(world, aged(30), unit=world.commune_b)
    for rid in (elsewhere.id, 10**9):
        with pytest.raises(NotFound), command():
            listing.set_status(world.police, rid, listing.Change("away"))
    with pytest.raises(Forbidden), command():
        listing.set_status(world.justice, elsewhere.id, listing.Change("away"))
    db.session.expire_all()
    assert elsewhere.listing_status == "not_visited"


def test_a_whole_household_at_once_except_the_booked(world, today):
    a = person(world, aged(40), household="HK-5")
    b = person(world, aged(38), household="HK-5")
    booked = person(world, aged(17), household="HK-5")
    child = person(world, aged(9), household="HK-5")  # not in the listing: left alone
    neighbour = person(world, aged(50), household="HK-6")
    with command():
        booked.listing_status = "booked"
    with command():
        changed = listing.set_household_status(
            world.police, None, "HK-5", listing.Change("away", "Cả nhà vào Nam")
        )
    assert changed == 2
    db.session.expire_all()
    assert [p.listing_status for p in (a, b, booked, child, neighbour)] == [
        "away",
        "away",
        "booked",
        "not_visited",
        "not_visited",
    ]
    assert a.listing_note == "Cả nhà vào Nam" and a.listed_by_id == world.police.id


def test_bad_household_changes_are_refused_and_change_nothing(world, today):
    member = person(world, aged(40), household="HK-5")
    person(world, aged(40), household="HK-9", unit=world.commune_b)
    with pytest.raises(Invalid) as caught, command():
        listing.set_household_status(world.police, None, "HK-5", listing.Change("deceased", confirm=True))
    assert list(caught.value.fields) == ["status"]
    with pytest.raises(Invalid) as caught, command():
        listing.set_household_status(world.police, None, " ", listing.Change("away"))
    assert list(caught.value.fields) == ["household"]
    with pytest.raises(NotFound), command():
        listing.set_household_status(world.police, None, "HK-9", listing.Change("away"))  # commune B's
    with pytest.raises(NotFound), command():
        listing.set_household_status(world.police_b, "13300", "HK-5", listing.Change("away"))
    db.session.expire_all()
    assert member.listing_status == "not_visited"
    assert (
        db.session.scalar(select(func.count()).select_from(Resident).where(Resident.listed_at.is_not(None)))
        == 0
    )
