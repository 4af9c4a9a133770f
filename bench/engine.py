"""Engine benchmark: the project's main diagram through the clean and the justice path,
(a) raw SpiffWorkflow in memory with a serialize/restore round-trip per completed task,
(b) the same through the services on an SQLite file (one transaction per command).

Prints completions per second of each, their ratio and the stored state size per case; the
last line is JSON.
"""

import json
import tempfile
import time
from datetime import date
from pathlib import Path

from workflows import Engine, load_directory

BPMN = Path(__file__).resolve().parent.parent / "bpmn"
PROD = {"card_number": "C1", "produced_at": "2026-11-20"}
CLEAN_PATH = [
    ("verify_application", {"discrepancies": [], "note": None, "refusal_reason": None}),
    ("capture_biometrics", {"fingerprints": "ok", "note": None}),
    ("approve_application", {"decision": "approve", "reason": None}),
    ("card_produced", PROD),
    ("receive_card", {"note": None}),
    ("hand_over_card", {"received_by": "self", "note": None}),
]
JUSTICE_PATH = [
    ("verify_application", {"discrepancies": ["dob_mismatch"], "note": None, "refusal_reason": None}),
    ("triage_correction", {"procedure": "correction", "documents_complete": True, "note": None}),
    (
        "record_correction",
        {
            "decision_number": "1/QĐ",
            "decision_date": "2026-11-20",
            "changes": {"birth_date": "1990-05-18"},
            "note": None,
        },
    ),
    ("update_population_record", {"confirmed": True, "note": None}),
    *CLEAN_PATH[1:],
]


def raw(cases: int) -> tuple[int, float, list[int]]:
    engine = Engine(load_directory(BPMN))
    version = engine.current.version
    done, sizes = 0, []
    start = time.perf_counter()
    for path in (CLEAN_PATH, JUSTICE_PATH):
        for _ in range(cases):
            o = engine.start({"kind": "new"})
            for step, data in path:
                if step == "card_produced":
                    o = engine.deliver_message(version, o.state, step, data)
                else:
                    (task,) = [t for t in o.ready if t.step == step]
                    o = engine.complete(version, o.state, task.id, data)
                done += 1
                if step == "approve_application":
                    sizes.append(len(o.state))
            assert o.completed, path
    return done, time.perf_counter() - start, sizes


def persisted(cases: int) -> tuple[int, float, list[int], list[int]]:
    from sqlalchemy import select

    from webapp import create_app
    from webapp.models import Case, CaseTask, db
    from webapp.services import cases as case_service
    from webapp.services import residents, tasks, units, users
    from webapp.services.personal_id import make_personal_id
    from webapp.services.uow import command

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "SECRET_KEY": "bench",
                "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            }
        )
        import logging

        logging.getLogger("webapp").setLevel(logging.WARNING)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            with command():
                root = units.ensure("37", "Ninh Bình", "province", None)
                ward = units.ensure("13300", "Phường Hoa Lư", "commune", root)
                police = users.create("police", "police", ward.code, "bench-pass-1")
                justice = users.create("justice", "justice", ward.code, "bench-pass-1")
                approval = users.create("approval", "approval", root.code, "bench-pass-1")
                production = users.create("production", "production", root.code, "bench-pass-1")
                pids = []
                for i in range(2 * cases):
                    pid = make_personal_id("037", 1990, "female", i + 1)
                    residents.upsert(
                        None,
                        pid,
                        {
                            "full_name": "Nguyễn Thị Lan",
                            "birth_date": "1990-05-17",
                            "sex": "female",
                            "permanent_unit": ward.code,
                        },
                    )
                    pids.append(pid)
            who = {"police": police, "justice": justice, "approval": approval}
            started = []
            for pid in pids:
                with command():
                    case = case_service.start_case(police, pid, "new")
                    started.append((case.code, case.id))
            done, sizes, raw_sizes = 0, [], []
            start = time.perf_counter()
            for index, (code, case_id) in enumerate(started):
                path = CLEAN_PATH if index < cases else JUSTICE_PATH
                for step, data in path:
                    with command():
                        if step == "card_produced":
                            case_service.record_card_produced(production, code, "C1", date(2026, 11, 20))
                        else:
                            # The caller reads the case's next task from the projection, as an inbox would.
                            task = db.session.scalar(select(CaseTask).where(CaseTask.case_id == case_id))
                            tasks.complete(who[task.department], task.id, data)
                    done += 1
                    if step == "approve_application":
                        row = db.session.scalar(select(Case).where(Case.code == code))
                        sizes.append(len(row.state))
                        from webapp.services.workflow_store import unpack

                        raw_sizes.append(len(unpack(row.state)))
            elapsed = time.perf_counter() - start
            db.session.remove()
            db.engine.dispose()
    return done, elapsed, sizes, raw_sizes


def run(cases: int) -> int:
    print(f"engine benchmark: {cases} cases on the clean path and {cases} on the justice path")
    raw_done, raw_s, _ = raw(cases)
    raw_rate = raw_done / raw_s
    print(
        f"(a) raw SpiffWorkflow, serialize/restore per step: {raw_done} completions in {raw_s:.2f} s "
        f"= {raw_rate:.0f}/s"
    )
    done, elapsed, sizes, raw_sizes = persisted(cases)
    rate = done / elapsed
    print(
        f"(b) services on SQLite, one transaction per step: {done} completions in {elapsed:.2f} s "
        f"= {rate:.0f}/s"
    )
    state_bytes = round(sum(sizes) / len(sizes))
    print(f"ratio persisted/raw: {rate / raw_rate:.2f}")
    print(
        f"stored state per case (waiting for production): {state_bytes} bytes compressed, "
        f"{round(sum(raw_sizes) / len(raw_sizes))} bytes of JSON"
    )
    print(
        json.dumps(
            {
                "raw_per_s": round(raw_rate, 1),
                "persisted_per_s": round(rate, 1),
                "ratio": round(rate / raw_rate, 3),
                "state_bytes": state_bytes,
            }
        )
    )
    return 0
