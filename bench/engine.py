"""Engine benchmark: the project's main diagram through the clean and the justice path,
(a) raw SpiffWorkflow in memory with a restore/serialize round-trip per completed task (its own
API, without this project's wrapper),
(b) the same through the services on an SQLite file (one transaction per command, the case's
row locked, the projection and the audit trail written, the workflow cache on).

The two run interleaved, case by case, so that a noisy machine slows both alike. Prints
completions per second of each, their ratio, the SQL statements per completion, the workflow
cache's hit rate and the stored state size per case; the last line is JSON.
"""

import json
import logging
import tempfile
import time
from datetime import date

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from workflows import Engine, serialization

PROD = {"card_number": "C1", "produced_at": "2026-11-20"}
CLEAN_PATH = [
    ("verify_application", {"discrepancies": [], "note": None, "refusal_reason": None}),
    ("capture_biometrics", {"fingerprints": "ok", "note": None}),
    ("approve_application", {"decision": "approve", "reason": None}),
    ("card_produced", PROD),
    ("receive_card", {"note": None}),
    ("hand_over_card", {"received_by": "self", "note": None}),
]
# One visit: the biometrics are captured at intake while the justice office starts its work.
JUSTICE_PATH = [
    ("verify_application", {"discrepancies": ["dob_mismatch"], "note": None, "refusal_reason": None}),
    CLEAN_PATH[1],
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
    *CLEAN_PATH[2:],
]


def raw_case(engine: Engine, path) -> tuple[float, int]:
    """Plain SpiffWorkflow, as an application without this project's wrapper would drive it:
    per step, restore the state, find the ready task, run it, run the engine steps, serialize.
    Returns the seconds spent on the steps and the state size waiting for production."""
    bundle = engine.current
    script = engine._script_engine(bundle)
    size = 0
    wf = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=script)
    wf.data.update({"kind": "new"})
    wf.task_tree.data.update({"kind": "new"})
    wf.do_engine_steps()
    state = serialization.dumps(wf)
    start = time.perf_counter()
    for step, data in path:
        wf = serialization.loads(state, bundle.spec, bundle.subprocess_specs)
        wf.script_engine = script
        if step == "card_produced":
            wf.send_event(BpmnEvent(MessageEventDefinition(step), dict(data)))
        else:
            ready = wf.get_tasks(state=TaskState.READY, manual=True)
            (task,) = [t for t in ready if t.task_spec.name == step]
            task.data.update(data)
            task.run()
        wf.do_engine_steps()
        state = serialization.dumps(wf)
        if step == "approve_application":
            size = len(state)
    elapsed = time.perf_counter() - start
    assert wf.is_completed(), path
    return elapsed, size


class Persisted:
    """An app on a fresh SQLite file, with a commune, its officers and residents."""

    def __init__(self, tmp: str, cases: int):
        from flask_migrate import upgrade
        from sqlalchemy import event

        from webapp import create_app
        from webapp.models import db
        from webapp.services.accounts import units, users
        from webapp.services.residents import registry
        from webapp.services.residents.personal_id import make_personal_id
        from webapp.services.uow import command

        self.app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "SECRET_KEY": "bench",
                "PASSWORD_HASH_METHOD": "argon2id:m=64,t=1,p=1",
            }
        )
        logging.getLogger("webapp").setLevel(logging.WARNING)
        self.ctx = self.app.app_context()
        self.ctx.push()
        upgrade()
        from webapp.services import workflow_store

        self.cache = workflow_store.engine().cache
        self.statements, self.counting = 0, False
        event.listen(db.engine, "before_cursor_execute", self._count)
        with command():
            root = units.ensure("37", "Ninh Bình", "province", None)
            ward = units.ensure("13300", "Phường Hoa Lư", "commune", root)
            self.who = {
                role: users.create(
                    role, role, (ward if role in ("police", "justice") else root).code, "bench-pass-1"
                )
                for role in ("police", "justice", "approval", "production")
            }
            self.pids = []
            for i in range(cases):
                pid = make_personal_id("037", 1990, "female", i + 1)
                registry.upsert(
                    None,
                    pid,
                    {
                        "full_name": "Nguyễn Thị Lan",
                        "birth_date": "1990-05-17",
                        "sex": "female",
                        "permanent_unit": ward.code,
                    },
                )
                self.pids.append(pid)

    def _count(self, *_args) -> None:
        if self.counting:
            self.statements += 1

    def case(self, index: int, path) -> tuple[float, int]:
        from webapp.models import Case, CaseTask, db
        from webapp.services.cases import commands as case_service
        from webapp.services.cases import tasks
        from webapp.services.uow import command

        with command():
            case = case_service.start_case(self.who["police"], self.pids[index], "new")
            code, case_id = case.code, case.id
        size = 0
        start = time.perf_counter()
        for step, data in path:
            with command():
                if step == "card_produced":
                    self.counting = True
                    case_service.record_card_produced(self.who["production"], code, "C1", date(2026, 11, 20))
                else:
                    # The caller reads the step's task from the projection, as an inbox would (not
                    # counted: the command's own statements are); biometrics and the justice office
                    # can both be ready at once.
                    task = db.session.scalar(
                        select(CaseTask).where(CaseTask.case_id == case_id, CaseTask.step == step)
                    )
                    self.counting = True
                    tasks.complete(self.who[task.department], task.id, data)
            self.counting = False
            if step == "approve_application":
                size = len(db.session.scalar(select(Case.state).where(Case.id == case_id)))
        return time.perf_counter() - start, size

    def close(self):
        from webapp.models import db

        db.session.remove()
        db.engine.dispose()
        self.ctx.pop()


def run(cases: int) -> int:
    from webapp.config import ROOT
    from workflows import load_directory

    print(f"engine benchmark: {cases} cases on the clean path and {cases} on the justice path, interleaved")
    engine = Engine(load_directory(ROOT / "bpmn"))
    raw_s = persisted_s = 0.0
    steps = 0
    raw_sizes, stored_sizes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        db_side = Persisted(tmp, 2 * cases)
        for index in range(2 * cases):
            path = CLEAN_PATH if index < cases else JUSTICE_PATH
            seconds, size = raw_case(engine, path)
            raw_s += seconds
            raw_sizes.append(size)
            seconds, size = db_side.case(index, path)
            persisted_s += seconds
            stored_sizes.append(size)
            steps += len(path)
        db_side.close()
    raw_rate, rate = steps / raw_s, steps / persisted_s
    per_step = db_side.statements / steps
    hit_rate = db_side.cache.hit_rate
    state_bytes = round(sum(stored_sizes) / len(stored_sizes))
    print(f"(a) raw SpiffWorkflow, serialize/restore per step: {steps} in {raw_s:.2f} s = {raw_rate:.0f}/s")
    print(f"(b) services on SQLite, one transaction per step: {steps} in {persisted_s:.2f} s = {rate:.0f}/s")
    print(f"ratio persisted/raw: {rate / raw_rate:.2f}")
    print(f"SQL statements per completion (the command itself): {per_step:.1f}")
    cache = db_side.cache
    print(f"workflow cache hit rate: {hit_rate:.1%} ({cache.hits} hits, {cache.misses} misses)")
    print(
        f"state per case waiting for production: {state_bytes} bytes stored (zlib), "
        f"{round(sum(raw_sizes) / len(raw_sizes))} bytes of JSON"
    )
    print(
        json.dumps(
            {
                "raw_per_s": round(raw_rate, 1),
                "persisted_per_s": round(rate, 1),
                "ratio": round(rate / raw_rate, 3),
                "state_bytes": state_bytes,
                "statements_per_completion": round(per_step, 1),
                "cache_hit_rate": round(hit_rate, 3),
            }
        )
    )
    return 0
