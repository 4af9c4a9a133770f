"""The one bulk seeder of the benchmarks: a province (Ninh Bình, the communes of today's map),
its officers, residents and N cases with their task projection rows, audit trail and daily
stage counts, written in chunks with COPY on PostgreSQL and executemany on SQLite.

A `Profile` says what each benchmark needs. The dashboard (bench/dashboard.py) wants the whole
province and where cases stood in April 2021 in Hà Nội (3.49 million files captured, 65% sent
on, cards back for 20%): about 65% approved or further, 20% with a card produced, 12% issued, a
long queue at approval, a short audit trail. The web benchmark (bench/web.py) wants 20 communes,
60% of cases open, and every case's whole audit trail, which the case page reads. Open tasks
became ready a while ago, so a good share is past its time limit (working days, Vietnamese
holidays excluded).

One case is started through the services; its stored workflow state stands in for every bulk
case (no page measured reads it)."""

import random
import time
from bisect import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate

from sqlalchemy import func, select, text, update

from .bulk import Writer
from .profiles import (
    BIRTH_PROVINCES,
    CHUNK,
    DASHBOARD,
    ORDER,
    PASSWORD,
    PROVINCE,
    STEP_TARGETS,
    SUPERVISOR,
    Profile,
)
from .seed_rows import Rows, local_day


@dataclass
class World:
    """What the seeding made that the measurements need."""

    province: str
    commune: str  # the busiest commune: the drill-down and the inbox measured
    commune_path: str
    officer: str  # a police officer of the busiest commune
    supervisor: str
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    where: Counter = field(default_factory=Counter)
    overdue_tasks: int = 0
    case_codes: list[str] = field(default_factory=list)  # the busiest commune's
    queue_size: int = 0  # police tasks in the busiest commune's queue
    queue_overdue: int = 0


class Seeder(Rows):
    def __init__(self, n: int, rng: random.Random, profile: Profile = DASHBOARD):
        self.n, self.rng, self.profile = n, rng, profile
        self.now = datetime.now(UTC)

    def run(self) -> World:
        from webapp.models import (
            Case,
            CaseCounter,
            CaseEvent,
            CaseTask,
            Resident,
            StageCount,
            StepTarget,
            Unit,
            db,
        )
        from webapp.services import workflow_store
        from webapp.services.accounts import units, users
        from webapp.services.cases import commands
        from webapp.services.residents import registry
        from webapp.services.residents.personal_id import make_personal_id
        from webapp.services.uow import command

        started = time.perf_counter()
        rng, profile = self.rng, self.profile
        with command():
            root, wards = units.load_province(PROVINCE, ward_limit=profile.communes)
            self.wards = [(w.id, w.code, w.path) for w in wards]
            self.staff = self._staff(root, wards)
            for step, (target, idle) in STEP_TARGETS.items():
                db.session.add(StepTarget(step=step, target_days=target, idle_days=idle, updated_at=self.now))
        with command():
            officer = users.by_username("congan0a")
            pid = make_personal_id(BIRTH_PROVINCES[0], 1990, "male", 0)  # serial 0: no bulk resident has it
            record = {"full_name": "Nguyễn Văn An", "birth_date": "1990-05-17", "sex": "male",
                      "permanent_unit": wards[0].code}  # fmt: skip
            registry.upsert(None, pid, record)
            real = commands.start_case(officer, pid, "new")
            self.state, self.spec_version = real.state, real.spec_version
            year, resident_id, case_id = real.created_at.year, real.resident_id, real.id
            real_code = real.code
        self.event_id = db.session.scalar(select(func.max(CaseEvent.id)))
        bundle = workflow_store.bundle_for(self.spec_version)
        self.lane = {step.id: step.lane for step in bundle.steps.values()}
        self.limit = {step: bundle.time_limit(step) for step in ORDER}
        self.limit["documents_reminder"] = bundle.time_limit("documents_reminder")
        self.names = self._name_pool(4000)
        # Communes of different sizes, as in a real province; the busiest is measured.
        weights = [0.5 + 2 * rng.random() for _ in self.wards]
        busiest = max(range(len(self.wards)), key=lambda i: weights[i])
        cumulative = list(accumulate(weights))
        where_keys, where_cumulative = list(profile.where), list(accumulate(profile.where.values()))

        tables = [t.__table__ for t in (Resident, Case, CaseTask, CaseEvent)]
        counts = Counter({"residents": 1, "cases": 1, "case_tasks": 1, "case_events": 2})
        stage, where = Counter(), Counter()
        overdue = queue_overdue = 0
        # The case started through the services waits at verification in the first commune.
        queue_size, codes_busiest = (1, [real_code]) if busiest == 0 else (0, [])
        total_residents = self.n + int(self.n * profile.not_applied)
        serial = done_cases = 0
        while done_cases < self.n or serial < total_residents:
            rows = {t.name: [] for t in tables}
            for _ in range(CHUNK):
                if serial >= total_residents:
                    break
                serial += 1
                resident_id += 1
                ward = bisect(cumulative, rng.random() * cumulative[-1])
                applies = serial <= self.n
                extra = {}
                if applies:
                    done_cases += 1
                    case_id += 1
                    code = f"HS-{year}-{case_id:06d}"
                    status, step = where_keys[bisect(where_cumulative, rng.random() * where_cumulative[-1])]
                    where[status if step is None else step] += 1
                    case, tasks, events, marks, extra = self._case(
                        case_id, code, resident_id, ward, status, step
                    )
                    rows["cases"].append(case)
                    rows["case_tasks"] += tasks
                    rows["case_events"] += events
                    late = sum(1 for t in tasks if t["due_at"] is not None and t["due_at"] < self.now)
                    overdue += late
                    if ward == busiest:
                        codes_busiest.append(code)
                        police = [t for t in tasks if t["department"] == "police"]
                        queue_size += len(police)
                        queue_overdue += sum(
                            t["due_at"] is not None and t["due_at"] < self.now for t in police
                        )
                    for name, moment in marks:
                        stage[(local_day(moment), self.wards[ward][0], name)] += 1
                rows["residents"].append(self._resident(resident_id, serial, ward, applies, extra))
            # One transaction per chunk: counters kept by triggers on `cases` (case_counts) are
            # updated once per row, and one huge transaction would pile up their row versions.
            writer = _writer(db)
            for table in tables:
                writer.write(table, rows[table.name])
                counts[table.name] += len(rows[table.name])
            db.session.commit()
        writer = _writer(db)
        conn = db.session.connection()
        conn.execute(update(CaseCounter).where(CaseCounter.year == year).values(last=case_id))
        # The real case's count joins the bulk ones, written again in one go.
        for day, unit_id, name, n in conn.execute(select(*StageCount.__table__.c)):
            stage[(day, unit_id, name)] += n
        conn.execute(StageCount.__table__.delete())
        rows = [
            {"day": day, "unit_id": unit_id, "stage": name, "count": n}
            for (day, unit_id, name), n in sorted(stage.items())
        ]
        writer.write(StageCount.__table__, rows)
        counts["stage_counts"] = len(rows)
        for i, (unit_id, _code, _path) in enumerate(self.wards):  # quotas: what each commune expects
            quota = int(self.n * 1.3 * weights[i] / cumulative[-1])
            conn.execute(update(Unit).where(Unit.id == unit_id).values(quota=quota))
        conn.execute(update(Unit).where(Unit.id == root.id).values(quota=int(self.n * 1.3)))
        db.session.commit()
        _after_load(db)
        rng.shuffle(codes_busiest)
        return World(
            province=root.code,
            commune=self.wards[busiest][1],
            commune_path=self.wards[busiest][2],
            officer=f"congan{busiest}a",
            supervisor=SUPERVISOR,
            seconds=time.perf_counter() - started,
            counts=dict(counts),
            where=where,
            overdue_tasks=overdue,
            case_codes=codes_busiest,
            queue_size=queue_size,
            queue_overdue=queue_overdue,
        )

    def _staff(self, root, wards) -> dict[tuple[str, int], list[int]]:
        """Two police officers, a lead and a justice officer per commune, an approver, the centre
        and the supervisor. A few through the service; the rest share their password hash."""
        from webapp.models import User, db
        from webapp.services.access import DEPARTMENT
        from webapp.services.accounts import users

        approver = users.create("pheduyet", "approval", root.code, PASSWORD, "Lãnh đạo PC06")
        users.create("sanxuat", "production", root.code, PASSWORD, "Trung tâm C06")
        users.create(SUPERVISOR, "supervisor", root.code, PASSWORD, "Ban chỉ đạo tỉnh")
        first = users.create("congan0a", "police", wards[0].code, PASSWORD, "Cán bộ congan0a")
        people = []
        for i, ward in enumerate(wards):
            for username, role in (
                (f"congan{i}a", "police"),
                (f"congan{i}b", "police"),
                (f"truongca{i}", "police_lead"),
                (f"tuphap{i}", "justice"),
            ):
                if username != first.username:
                    people.append(
                        User(username=username, role=role, department=DEPARTMENT[role], unit_id=ward.id,
                             full_name=f"Cán bộ {username}", password_hash=first.password_hash, active=True)
                    )  # fmt: skip
        db.session.add_all(people)
        db.session.flush()
        staff: dict[tuple[str, int], list[int]] = {("police", 0): [first.id]}
        by_unit = {ward.id: i for i, ward in enumerate(wards)}
        for user in people:
            staff.setdefault((user.department, by_unit[user.unit_id]), []).append(user.id)
        for i in range(len(wards)):
            staff[("approval", i)] = [approver.id]
        return staff


def _writer(db) -> Writer:
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":  # a bulk load: a big page cache, no fsync per commit
        conn.exec_driver_sql("PRAGMA cache_size = -262144")
        conn.exec_driver_sql("PRAGMA synchronous = OFF")
    return Writer(conn)


def _after_load(db) -> None:
    """Sequences past the bulk ids, then what autovacuum and ANALYZE do after a load."""
    if db.engine.dialect.name == "postgresql":
        for table in ("residents", "cases", "case_events"):
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            db.session.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))"))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
