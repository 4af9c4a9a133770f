"""The resident registry: create or update by personal ID, all or nothing."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from webapp.models import Resident, db
from webapp.services import clock
from webapp.services.errors import Forbidden, Invalid
from webapp.services.residents import personal_id, registry
from webapp.services.residents.personal_id import make_personal_id
from webapp.services.uow import command

PID = make_personal_id("037", 1990, "female", 42)  # 037 1 90 000042


def data(**changes) -> dict:
    base = {
        "full_name": "Nguyễn Thị Lan",
        "birth_date": "1990-05-17",
        "sex": "female",
        "birth_date_precision": "day",
        "status": "alive",
        "permanent_unit": "13300",
    }
    base.update(changes)
    return base


def rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Resident))


def reread(pid: str) -> Resident | None:
    db.session.expire_all()
    return db.session.scalar(select(Resident).where(Resident.personal_id == pid))


def snapshot(resident: Resident) -> dict:
    return {c.name: getattr(resident, c.name) for c in Resident.__table__.columns if c.name != "updated_at"}


def test_pid_helper_is_what_the_tests_assume():
    assert PID == "037190000042"


def test_create_returns_created_and_stores_every_field(world):
    with command():
        resident, created = registry.upsert(
            world.police,
            PID,
            data(
                full_name="  Nguyễn   Thị  Lan ",
                old_id_number="164123456",
                ethnicity=" Kinh ",
                household_id="HK001",
                temporary_unit="13301",
            ),
        )
    assert created is True
    r = reread(PID)
    assert r.id == resident.id
    assert r.full_name == "Nguyễn Thị Lan" and r.name_key == "nguyen thi lan"
    assert (r.birth_date, r.birth_date_precision) == (date(1990, 5, 17), "day")
    assert (r.sex, r.status) == ("female", "alive")
    assert (r.old_id_number, r.ethnicity, r.household_id) == ("164123456", "Kinh", "HK001")
    assert r.permanent_unit.code == "13300" and r.temporary_unit.code == "13301"


def test_update_by_personal_id_changes_values_and_name_key(world):
    with command():
        first, _ = registry.upsert(None, PID, data())
    with command():
        second, created = registry.upsert(
            world.police,
            PID,
            data(
                full_name="Đặng Thị Ánh Tuyết",
                birth_date="1990-01-01",
                birth_date_precision="year",
                permanent_unit="13301",
                status="deceased",
            ),
        )
    assert created is False and second.id == first.id
    assert rows() == 1
    r = reread(PID)
    assert r.full_name == "Đặng Thị Ánh Tuyết" and r.name_key == "dang thi anh tuyet"
    assert (r.birth_date, r.birth_date_precision, r.status) == (date(1990, 1, 1), "year", "deceased")
    assert r.permanent_unit.code == "13301"


def test_system_import_needs_no_actor(world):
    with command():
        _, created = registry.upsert(None, PID, data())
    assert created and reread(PID).name_key == "nguyen thi lan"


def _full_width(s: str) -> str:
    return "".join(chr(ord(c) - ord("0") + ord("０")) for c in s)


BAD_CREATE = [
    pytest.param("03719000004", data(), {"personal_id"}, id="eleven-digits"),
    pytest.param("03719000004X", data(), {"personal_id"}, id="letter"),
    pytest.param(" 37190000042", data(), {"personal_id"}, id="leading-space"),
    pytest.param(_full_width(PID), data(), {"personal_id"}, id="full-width-digits"),
    pytest.param("003190000042", data(), {"personal_id"}, id="unknown-province-003"),
    pytest.param("099190000042", data(), {"personal_id"}, id="unknown-province-099"),
    # G=1, YY=90 means 1990; G=3, YY=01 means 2001.
    pytest.param(PID, data(birth_date="2023-02-30"), {"birth_date"}, id="impossible-date"),
    pytest.param(PID, data(birth_date="1990-5-17"), {"birth_date"}, id="unpadded-date"),
    pytest.param(PID, data(birth_date=None), {"birth_date"}, id="no-birth-date"),
    pytest.param(PID, data(sex="f"), {"sex"}, id="bad-sex"),
    pytest.param(PID, data(birth_date_precision="week"), {"birth_date_precision"}, id="bad-precision"),
    pytest.param(PID, data(permanent_unit="99999"), {"permanent_unit"}, id="unknown-permanent-unit"),
    pytest.param(PID, data(permanent_unit=None), {"permanent_unit"}, id="no-permanent-unit"),
    pytest.param(PID, data(temporary_unit="99999"), {"temporary_unit"}, id="unknown-temporary-unit"),
    pytest.param(PID, data(old_id_number="16412345"), {"old_id_number"}, id="old-id-8-digits"),
    pytest.param(PID, data(old_id_number="16412345A"), {"old_id_number"}, id="old-id-letters"),
    pytest.param(
        PID, data(old_id_number=_full_width("164123456")), {"old_id_number"}, id="old-id-full-width"
    ),
    pytest.param(PID, data(old_id_number=164123456), {"old_id_number"}, id="old-id-number-type"),
    pytest.param(PID, data(full_name="   "), {"full_name"}, id="blank-name"),
    pytest.param(PID, data(full_name="A" * 201), {"full_name"}, id="long-name"),
    pytest.param(PID, data(status="missing"), {"status"}, id="bad-status"),
    pytest.param(PID, data(ethnicity="x" * 51), {"ethnicity"}, id="long-ethnicity"),
    pytest.param(PID, ["not", "a", "dict"], {"data"}, id="list-not-dict"),
    pytest.param(PID, None, {"data"}, id="none-not-dict"),
]


@pytest.mark.parametrize("pid, payload, fields", BAD_CREATE)
def test_invalid_create_names_the_field_and_writes_nothing(world, pid, payload, fields):
    before = rows()
    with pytest.raises(Invalid) as err, command():
        registry.upsert(world.police, pid, payload)
    assert set(err.value.fields) == fields
    assert all(err.value.fields[f] for f in fields)  # each field carries at least one message
    assert rows() == before == 0
    assert reread(pid if isinstance(pid, str) else PID) is None


def test_future_birth_date_is_refused(world):
    tomorrow = clock.today_local() + timedelta(days=1)
    pid = make_personal_id("037", tomorrow.year, "female", 7)
    with pytest.raises(Invalid) as err, command():
        registry.upsert(world.police, pid, data(birth_date=tomorrow.isoformat()))
    assert set(err.value.fields) == {"birth_date"}
    assert err.value.fields["birth_date"][0].en == "The birth date cannot be in the future."
    assert rows() == 0


def test_birth_year_before_1900_is_refused(world):
    pid = make_personal_id("037", 1900, "female", 1)
    with pytest.raises(Invalid) as err, command():
        registry.upsert(world.police, pid, data(birth_date="1899-12-31"))
    assert [m.en for m in err.value.fields["birth_date"]] == ["The birth year must be 1900 or later."]
    assert rows() == 0


@pytest.mark.parametrize(
    ("pid", "changes", "mismatch"),
    [
        pytest.param(PID, {"birth_date": "1991-05-17"}, "birth_year", id="year-digits-vs-birth"),
        pytest.param(
            make_personal_id("037", 2001, "female", 1),
            {"birth_date": "1901-05-17"},
            "birth_year",
            id="century-digit-vs-birth",
        ),
        pytest.param(PID, {"sex": "male"}, "sex", id="sex-digit-vs-sex"),
        pytest.param(PID, {"birth_date": "1991-05-17", "sex": "male"}, "birth_year,sex", id="both"),
    ],
)
def test_an_id_that_disagrees_with_the_record_is_stored_and_flagged(world, pid, changes, mismatch):
    """Wrong records are what the campaign fixes: stored with the part that disagrees."""
    with command():
        resident, created = registry.upsert(world.police, pid, data(**changes))
    assert created and reread(pid).id_mismatch == mismatch
    with command():
        registry.upsert(
            world.police,
            pid,
            data(birth_date=f"{personal_id.decode(pid).birth_year}-05-17", sex=personal_id.decode(pid).sex),
        )
    assert reread(pid).id_mismatch is None


def test_several_bad_fields_are_reported_together(world):
    with pytest.raises(Invalid) as err, command():
        registry.upsert(world.police, PID, data(sex="x", birth_date_precision="decade", permanent_unit="0"))
    assert set(err.value.fields) == {"sex", "birth_date_precision", "permanent_unit"}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"birth_date": "2023-02-30"}, "birth_date"),
        ({"sex": "x"}, "sex"),
        ({"permanent_unit": "00000"}, "permanent_unit"),
        ({"old_id_number": "1234"}, "old_id_number"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_invalid_update_leaves_the_resident_as_it_was(world, changes, field):
    with command():
        registry.upsert(None, PID, data(old_id_number="164123456"))
    before = snapshot(reread(PID))
    with pytest.raises(Invalid) as err, command():
        registry.upsert(world.police, PID, data(**{"full_name": "Tên Mới", **changes}))
    assert field in err.value.fields
    assert snapshot(reread(PID)) == before
    assert rows() == 1


def test_roles_without_rights_are_forbidden(world):
    for user in (world.justice, world.approval, world.supervisor):
        with pytest.raises(Forbidden) as err, command():
            registry.upsert(user, PID, data())
        assert err.value.message.en == "Your role may not edit residents."
    assert rows() == 0


def test_justice_cannot_change_an_existing_resident(world):
    with command():
        registry.upsert(None, PID, data())
    with pytest.raises(Forbidden), command():
        registry.upsert(world.justice, PID, data(full_name="Tên Khác"))
    assert reread(PID).full_name == "Nguyễn Thị Lan"


def test_an_inactive_officer_is_forbidden(world):
    with command():
        world.police.active = False
    with pytest.raises(Forbidden), command():
        registry.upsert(world.police, PID, data())
    assert rows() == 0


def test_lead_and_admin_may_edit(world):
    with command():
        _, created = registry.upsert(world.lead, PID, data())
    with command():
        _, again = registry.upsert(world.admin, PID, data(ethnicity="Mường"))
    assert (created, again) == (True, False)
    assert reread(PID).ethnicity == "Mường"
