"""Two app nodes and two workers on one PostgreSQL and one Redis: cases driven through both nodes
alternately, one node killed with SIGKILL in the middle, and afterwards every case is issued or
waiting, no task completed twice, no acknowledged completion lost. Sign-in failures are counted
across both nodes. PostgreSQL only (SQLite is one node's embedded database)."""

import http.client
import json
import os
import shutil
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from bench.http_client import ROLE_OF_STEP, STEP_DATA
from tests.support.nodes import Processes, free_port, wait_for_http, wait_for_port
from tests.support.world import PASSWORD
from webapp.models import Case, CaseEvent, CaseTask, db
from webapp.services.accounts import tokens
from webapp.services.uow import command

CASES, CLIENTS = 16, 4
# The same step data and roles as the HTTP benchmark's clients.
DATA, ROLE = STEP_DATA, ROLE_OF_STEP
PATH_LENGTH = {False: 5, True: 8}  # user tasks on the clean path and through the justice office


class NodeDown(Exception):
    pass


class Driver:
    """Clients that alternate between the live nodes call by call. A call cut by a dead node is
    sent again to another node, as a load balancer would; a completion whose answer was lost is
    then a 409 (already done), and the client reads the case to carry on."""

    def __init__(self, ports: dict[str, int], bearer: dict[str, str]):
        self.live = dict(ports)
        self.bearer = bearer
        self.lock = threading.Lock()
        self.acknowledged: list[str] = []  # task ids whose completion answered 200
        self.completions = 0
        self.halfway = threading.Event()
        self.failures: list[str] = []

    def down(self, name: str) -> None:
        with self.lock:
            self.live.pop(name, None)

    def _send(self, conns, turn, role, method, path, body):
        names = sorted(self.live)
        name = names[turn % len(names)]
        conn = conns.setdefault(name, http.client.HTTPConnection("127.0.0.1", self.live[name], timeout=30))
        headers = {"Authorization": f"Bearer {self.bearer[role]}", "Content-Type": "application/json"}
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None, headers)
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"null")
        except (OSError, http.client.HTTPException):
            conns.pop(name).close()
            raise NodeDown(name) from None

    def call(self, conns, turn, role, method, path, body=None):
        for attempt in range(4):
            try:
                return self._send(conns, turn + attempt, role, method, path, body)
            except NodeDown:
                continue
        raise AssertionError(f"{method} {path}: no node answered")

    def drive(self, pid: str, justice: bool, card: str) -> None:
        conns, turn = {}, 0
        status, case = self.call(
            conns, turn, "police", "POST", "/api/v1/cases", {"personal_id": pid, "kind": "new"}
        )
        if status == 409:  # started on a node that died before answering
            code = case["error"]["fields"]["open_case"][0]
            status, case = self.call(conns, turn, "police", "GET", f"/api/v1/cases/{code}")
        assert status in (200, 201), case
        while case["status"] == "open":
            turn += 1
            if not case["tasks"]:
                body = {"case_code": case["code"], "card_number": card, "produced_at": "2026-11-20"}
                status, case = self.call(conns, turn, "production", "POST", "/api/v1/production/cards", body)
                assert status == 200, case
                continue
            task = case["tasks"][0]
            step = task["step"]
            data = (
                {"discrepancies": ["dob_mismatch"]}
                if justice and step == "verify_application"
                else DATA[step]
            )
            path = f"/api/v1/tasks/{task['id']}/complete"
            status, answer = self.call(conns, turn, ROLE.get(step, "police"), "POST", path, {"data": data})
            if status == 200:
                with self.lock:
                    self.acknowledged.append(task["id"])
                    self.completions += 1
                    if self.completions >= CASES * 2:
                        self.halfway.set()
                case = answer["case"]
            else:  # the first attempt may have been done by the node that died: read and go on
                assert status == 409, answer
                status, case = self.call(conns, turn, "police", "GET", f"/api/v1/cases/{case['code']}")
                assert status == 200, case
        for conn in conns.values():
            conn.close()

    def run(self, work) -> list[threading.Thread]:
        queue = list(work)

        def client():
            while True:
                with self.lock:
                    if not queue:
                        return
                    item = queue.pop()
                try:
                    self.drive(*item)
                except Exception as exc:  # noqa: BLE001 - reported by the test, with the case
                    with self.lock:
                        self.failures.append(f"{item[0]}: {exc!r}")

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        return threads


def sign_in(port: int, username: str, password: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": username, "password": password})
    conn.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.fixture
def cluster(app, postgres_only, tmp_path):
    if shutil.which("redis-server") is None:
        if os.environ.get("REQUIRE_REDIS"):  # CI (.ci/run) must not skip it
            pytest.fail("REQUIRE_REDIS is set but redis-server is not installed")
        pytest.skip("needs redis-server (apt-get install redis-server)")
    redis_port = free_port()
    env = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "two-nodes",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "UPLOAD_DIR": str(tmp_path / "shared-uploads"),
    }
    procs = Processes(tmp_path, env)
    try:
        procs.redis(redis_port)
        wait_for_port(redis_port)
        ports = {"a": free_port(), "b": free_port()}
        nodes = {name: procs.node(f"node-{name}", port) for name, port in ports.items()}
        procs.worker("worker-1"), procs.worker("worker-2")
        for name, port in ports.items():
            wait_for_http(port, nodes[name])
        yield procs, ports
    finally:
        procs.stop()


def test_a_node_killed_mid_run_loses_and_repeats_nothing(world, cluster):
    procs, ports = cluster
    with command():
        bearer = {
            role: tokens.issue(user)[0]
            for role, user in {
                "police": world.police,
                "justice": world.justice,
                "approval": world.approval,
                "production": world.production,
            }.items()
        }
    work = [(world.resident(), i % 4 == 0, f"C{i + 1:09d}") for i in range(CASES)]

    # Failed sign-ins are one count whichever node takes them: the fifth, on either node, locks.
    for attempt in range(5):
        assert sign_in(ports["ab"[attempt % 2]], "police_a2", "wrong-password") == 401
    assert sign_in(ports["a"], "police_a2", PASSWORD) == 429
    assert sign_in(ports["b"], "police_a2", PASSWORD) == 429

    driver = Driver(ports, bearer)
    threads = driver.run(work)
    assert driver.halfway.wait(60), f"no progress: {driver.failures}"
    procs.kill("node-b")  # the node and its gunicorn workers, mid-request or not
    driver.down("b")
    at_kill = driver.completions
    for thread in threads:
        thread.join(120)
    assert not driver.failures, driver.failures
    assert procs.alive("node-a") and procs.alive("worker-1") and procs.alive("worker-2")

    db.session.expire_all()
    cases = db.session.scalars(select(Case).where(Case.code.like("HS-%"))).all()
    assert len(cases) == CASES
    done = Counter(
        db.session.scalars(
            select(CaseEvent.task_id).where(CaseEvent.action == "completed", CaseEvent.task_id.is_not(None))
        )
    )
    assert [t for t, n in done.items() if n > 1] == []  # never a repeated completion
    assert set(driver.acknowledged) <= set(done)  # never a lost one
    justice = {pid for pid, through_justice, _ in work if through_justice}
    for case in cases:
        assert case.status in ("issued", "open"), (case.code, case.status)
        rows = db.session.scalar(
            select(func.count()).select_from(CaseTask).where(CaseTask.case_id == case.id)
        )
        completed = db.session.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.action == "completed")
        )
        if case.status == "issued":
            assert rows == 0
            assert completed == PATH_LENGTH[case.resident.personal_id in justice], case.code
        else:  # waiting: its projection shows where
            assert rows == len([s for s in case.current_steps.split(",") if s in DATA])
    assert sum(c.status == "issued" for c in cases) == CASES
    # The kill came in the middle: most of the work was done by the surviving node afterwards.
    assert at_kill < len(driver.acknowledged) - CASES, (at_kill, len(driver.acknowledged))
