"""Demo data for `make run`: one real province (Ninh Bình) with a handful of communes, users for
every role, a few thousand residents with consistent ID numbers, cases at every step (their
paths are in cases.py)."""

import random
from datetime import date, timedelta

from sqlalchemy import select

from ...models import CaseTask, Station, Unit, User, db
from ..accounts import units, users
from ..cases import commands
from ..errors import ServiceError
from ..residents import corrections, id_check, registry
from ..residents.personal_id import make_personal_id
from ..stations import setup
from ..uow import command
from . import cases, supervision, vneid

PASSWORD = "demo-cccd-2026"
PROVINCE = 37  # Ninh Bình in today's 34-province list
WARDS = 6
SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Ngô",
    "Dương",
    "Đinh",
    "Lương",
    "Đoàn",
]
MIDDLE = {
    "male": ["Văn", "Đức", "Minh", "Quốc", "Hữu", "Công", "Xuân"],
    "female": ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng"],
}
GIVEN = {
    "male": [
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Hải",
        "Hùng",
        "Khánh",
        "Long",
        "Nam",
        "Phong",
        "Quân",
        "Sơn",
        "Thắng",
        "Tuấn",
        "Việt",
        "Đạt",
        "Hiếu",
        "Trung",
    ],
    "female": [
        "Anh",
        "Chi",
        "Dung",
        "Giang",
        "Hà",
        "Hằng",
        "Hoa",
        "Hương",
        "Lan",
        "Linh",
        "Mai",
        "Ngân",
        "Nhung",
        "Oanh",
        "Phượng",
        "Thảo",
        "Trang",
        "Yến",
    ],
}
# Birth registered mostly in the old Ninh Bình, Hà Nam and Nam Định (merged into today's Ninh Bình).
BIRTH_PROVINCES = ["037"] * 5 + ["035", "036", "036"]


def accounts(root: str, wards: list[str]) -> list[tuple[str, str, str, str]]:
    """(username, role, unit code, full name) of the demo users."""
    rows = [
        ("admin", "admin", root, "Quản trị hệ thống"),
        ("giamsat", "supervisor", root, "Ban chỉ đạo tỉnh"),
        ("pheduyet", "approval", root, "Lãnh đạo PC06"),
        ("sanxuat", "production", root, "Trung tâm C06"),
    ]
    for i, ward in enumerate(wards[:3], start=1):
        rows += [
            (f"congan{i}", "police", ward, f"Cán bộ Công an xã {i}"),
            (f"congan{i}b", "police", ward, f"Cán bộ Công an xã {i} (2)"),
            (f"truongca{i}", "police_lead", ward, f"Trưởng Công an xã {i}"),
            (f"tuphap{i}", "justice", ward, f"Công chức Tư pháp – Hộ tịch xã {i}"),
        ]
    return rows


def already_seeded() -> bool:
    return db.session.scalar(select(User.id).where(User.username == "admin")) is not None


def logins_text() -> str:
    rows = db.session.execute(select(User.username, User.role, User.full_name).order_by(User.id)).all()
    lines = [f"Demo logins (password {PASSWORD}):"]
    lines += [f"  {u:<12} {r:<12} {n}" for u, r, n in rows]
    return "\n".join(lines)


def seed(resident_count: int, case_count: int, echo=print, rng: random.Random | None = None) -> None:
    rng = rng or random.Random(20210301)
    with command():
        root, wards = units.load_province(PROVINCE, ward_limit=WARDS)
        for username, role, unit_code, full_name in accounts(root.code, [w.code for w in wards]):
            users.create(username, role, unit_code, PASSWORD, full_name)
        set_area_classes(root, wards)
    echo(f"units: {root.name} and {len(wards)} communes; users: {len(accounts(root.code, []))}+")
    with command():
        people = []
        for i in range(resident_count):
            ward_index = rng.randint(1, 3)
            people.append((_resident(rng, i, wards[ward_index - 1].code), ward_index))
    echo(f"residents: {len(people)}")
    with command():
        flagged, corrected = wrong_records(rng, people), desk_corrections(rng, people)
        echo(f"population records: {flagged} flagged, {corrected} corrections at the desk")
    started = 0
    for pid, ward_index in people:
        if started >= case_count:
            break
        with command():
            officer = db.session.scalar(select(User).where(User.username == f"congan{ward_index}"))
            try:
                case = commands.start_case(
                    officer,
                    pid,
                    rng.choice(["new", "new", "exchange", "reissue"]),
                    rng.choice([None, None, None, "home_visit", "student", "official"]),
                )
            except ServiceError:
                continue
        started += 1
        cases.advance(case.code, ward_index, rng)
    with command():
        _age_some(rng)
    echo(f"cases: {started}")
    supervision.spread_history(rng)
    supervision.set_targets()
    echo(f"production batches sent: {supervision.batch_production()}")
    with command():
        echo(f"stations: {seed_stations(wards)} new")
    echo(f"VNeID level 2 requests: {vneid.seed(rng)}")


def _shifts(days, spans, minutes: int, capacity: int) -> list[dict]:
    return [
        {"weekday": d, "starts": a, "ends": b, "slot_minutes": minutes, "capacity": capacity}
        for d in days
        for a, b in spans
    ]


def seed_stations(wards: list[Unit]) -> int:
    """The commune police office of every demo commune (weekdays and Saturday morning), and a
    mobile team at a school in the first one. Idempotent: a station already there (same unit
    and name) is left as it is. Returns how many were created."""
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    office = _shifts(range(5), [("07:30", "11:30"), ("13:30", "17:00")], 30, 8) + _shifts(
        [5], [("07:30", "11:30")], 30, 8
    )
    wanted = [(w, f"Trụ sở Công an {w.name}", "office", office) for w in wards]
    if wards:
        school = _shifts([1, 3], [("08:00", "11:00")], 60, 30)
        wanted.append((wards[0], f"Tổ lưu động – Trường THPT {wards[0].name}", "school", school))
    created = 0
    for unit, name, kind, shifts in wanted:
        exists = db.session.scalar(select(Station.id).where(Station.unit_id == unit.id, Station.name == name))
        if exists is None:
            data = {
                "name": name,
                "kind": kind,
                "unit": unit.code,
                "address": f"{unit.name}, tỉnh Ninh Bình",
                "shifts": shifts,
            }
            setup.save_station(admin, None, data)
            created += 1
    return created


def set_area_classes(root: Unit, wards: list[Unit]) -> None:
    """The 2014 law's time limits by area: wards (phường) are towns, communes (xã) elsewhere;
    the province as a whole "elsewhere" (a province sets its mountain and island communes)."""
    root.area_class = "rural"
    for ward in wards:
        ward.area_class = "urban" if ward.name.startswith("Phường") else "rural"


HOMETOWNS = [
    "Xã Gia Sinh, Ninh Bình",
    "Xã Yên Mạc, Ninh Bình",
    "Xã Thanh Liêm, Hà Nam",
    "Xã Hải Hậu, Nam Định",
]


def wrong_records(rng: random.Random, people: list[tuple[str, int]]) -> int:
    """Some records whose birth year disagrees with the ID's digits, as the campaign found them
    ("Sai thông tin dân cư"): stored and flagged; the listing marks them; a few elderly residents
    wait for a home visit."""
    flagged = 0
    for pid, _ in people[5::47]:
        resident = registry.get(pid)
        year = resident.birth_date.year + rng.choice([-1, 1])
        resident.birth_date = resident.birth_date.replace(year=year, day=min(resident.birth_date.day, 28))
        id_check.recheck(resident)
        resident.listing_status = "record_wrong"
        flagged += 1
    for pid, _ in people[7::61]:
        resident = registry.get(pid)
        if resident.birth_date.year < 1950:
            resident.listing_status = "home_visit"
    db.session.flush()
    return flagged


def desk_corrections(rng: random.Random, people: list[tuple[str, int]]) -> int:
    """Corrections made at the police desk: places applied at once; names, some confirmed by the
    lead and some still waiting for the lead. Each keeps the resident's ID consistent."""
    made = 0
    for n, (pid, ward) in enumerate(people[11::53]):
        officer = db.session.scalar(select(User).where(User.username == f"congan{ward}"))
        lead = db.session.scalar(select(User).where(User.username == f"truongca{ward}"))
        resident = registry.get(pid)
        basis = {
            "kind": "household_register",
            "number": f"HK-{rng.randrange(1000, 9999)}",
            "date": "2021-03-15",
        }
        if n % 3 == 0:
            changes = {"hometown": rng.choice(HOMETOWNS)}
        else:
            given = resident.full_name.rsplit(" ", 1)
            changes = {"full_name": f"{given[0]} {rng.choice(GIVEN[resident.sex])}"}
            if changes["full_name"] == resident.full_name:
                continue
            basis["kind"] = "birth_certificate"
        correction = corrections.propose(officer, pid, changes, basis, "Theo giấy tờ công dân xuất trình")
        if correction.status == "pending" and n % 2 == 0:
            corrections.confirm(lead, pid, correction.id)
        made += 1
    return made


def _resident(rng: random.Random, serial: int, ward_code: str) -> str:
    sex = rng.choice(["male", "female"])
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, (date(2012, 12, 31) - date(1940, 1, 1)).days))
    precision = rng.choices(["day", "month", "year"], weights=[94, 2, 4])[0]
    if precision != "day":
        born = born.replace(day=1, month=1 if precision == "year" else born.month)
    pid = make_personal_id(rng.choice(BIRTH_PROVINCES), born.year, sex, serial + 1)
    registry.upsert(
        None,
        pid,
        {
            "full_name": name,
            "birth_date": born.isoformat(),
            "birth_date_precision": precision,
            "sex": sex,
            "old_id_number": f"{rng.randrange(10**8, 10**9)}" if born.year < 2000 else None,
            "ethnicity": "Kinh",
            "household_id": f"HK{ward_code}{serial // 4:05d}",
            "permanent_unit": ward_code,
            "status": "alive",
        },
    )
    return pid


def _age_some(rng: random.Random) -> None:
    """Move some waiting work back in time so that the demo shows overdue cases."""
    rows = list(db.session.scalars(select(CaseTask).order_by(CaseTask.id)))
    for task in rng.sample(rows, k=len(rows) // 6):
        back = timedelta(days=rng.randint(5, 20))
        task.ready_at -= back
        if task.due_at is not None:
            task.due_at -= back
