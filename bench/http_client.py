"""The clients of `python -m bench http`: each drives whole cases through the JSON API as the
devices and officers would (start, open each task, complete it, the production centre's card
callback), one case at a time, on its own keep-alive connection, timing every call by kind."""

import http.client
import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

# The data each step is completed with; the justice path starts with a discrepancy.
STEP_DATA = {
    "verify_application": {"discrepancies": []},
    "triage_correction": {"procedure": "correction", "documents_complete": True},
    "record_correction": {
        "decision_number": "1/QĐ-UBND",
        "decision_date": "2026-11-20",
        "changes": {"birth_date": "1990-05-18"},
    },
    "update_population_record": {"confirmed": True},
    "capture_biometrics": {"fingerprints": "ok"},
    "approve_application": {"decision": "approve"},
    "receive_card": {},
    "hand_over_card": {"received_by": "self"},
}
JUSTICE_VERIFY = {"discrepancies": ["dob_mismatch"]}
ROLE_OF_STEP = {
    "triage_correction": "justice",
    "record_correction": "justice",
    "approve_application": "approval",
}
KINDS = ("start", "read", "complete", "callback")


@dataclass
class Tally:
    """What the clients of one run measured."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # ms by kind
    errors: list[str] = field(default_factory=list)
    issued: int = 0
    completions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


class Client:
    """One officer's device: one connection per node, used in turn (`nodes` alternate per case)."""

    def __init__(self, ports: list[int], tokens: dict[str, str], tally: Tally):
        self.conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports]
        self.tokens = tokens
        self.tally = tally
        self.turn = 0

    def call(self, kind: str, role: str, method: str, path: str, body=None, expect=(200,)):
        conn = self.conns[self.turn % len(self.conns)]
        headers = {"Authorization": f"Bearer {self.tokens[role]}", "Accept-Language": "en"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        try:
            conn.request(method, path, payload, headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()  # reconnects on the next request (a node went away: the next case goes on)
            raise CallFailed(f"{method} {path}: {type(exc).__name__} {exc}") from None
        elapsed = (time.perf_counter() - start) * 1000
        if response.status not in expect:
            raise CallFailed(f"{method} {path}: {response.status} {data[:300]!r}")
        self.tally.times[kind].append(elapsed)
        return json.loads(data) if data else None

    def drive(self, pid: str, justice: bool, card: str) -> None:
        """One case from start to hand-over; a failed call ends the case and is counted."""
        self.turn += 1
        try:
            case = self.call(
                "start", "police", "POST", "/api/v1/cases", {"personal_id": pid, "kind": "new"}, (201,)
            )
            while case["status"] == "open":
                if not case["tasks"]:
                    body = {"case_code": case["code"], "card_number": card, "produced_at": "2026-11-20"}
                    case = self.call("callback", "production", "POST", "/api/v1/production/cards", body)
                    continue
                task = case["tasks"][0]
                step, role = task["step"], ROLE_OF_STEP.get(task["step"], "police")
                self.call("read", role, "GET", f"/api/v1/tasks/{task['id']}")
                data = JUSTICE_VERIFY if justice and step == "verify_application" else STEP_DATA[step]
                answer = self.call(
                    "complete", role, "POST", f"/api/v1/tasks/{task['id']}/complete", {"data": data}
                )
                with self.tally.lock:
                    self.tally.completions += 1
                case = answer["case"]
            if case["status"] != "issued":
                raise CallFailed(f"case {case['code']} ended {case['status']}")
            with self.tally.lock:
                self.tally.issued += 1
        except CallFailed as exc:
            self.tally.error(str(exc))

    def close(self) -> None:
        for conn in self.conns:
            conn.close()


class CallFailed(Exception):
    pass


def run_clients(clients: int, work: list[tuple[str, bool, str]], ports, tokens) -> tuple[Tally, float]:
    """`clients` threads share the list of cases (pid, through justice?, card number); returns
    the tally and the seconds from the first start to the last hand-over."""
    tally = Tally()
    queue = list(reversed(work))
    take = threading.Lock()

    def worker():
        client = Client(ports, tokens, tally)
        try:
            while True:
                with take:
                    if not queue:
                        return
                    item = queue.pop()
                client.drive(*item)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, name=f"client-{n}") for n in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - start
