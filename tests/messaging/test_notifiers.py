"""Channel adapters, each against something real and local: a log, a file, a small SMTP server
and an HTTP SMS gateway started by the test on 127.0.0.1 (nothing reaches the internet)."""

import email
import email.policy
import json
import logging
import socket
import socketserver
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from webapp.models import OutboxMessage
from webapp.services.messaging import notifiers

pytestmark = pytest.mark.no_db


def message(**kw) -> OutboxMessage:
    values = {
        "id": 7,
        "kind": "reminder",
        "channel": "log",
        "recipient": "justice_a",
        "subject": "[HS-2026-000001] Nhắc việc: bổ sung giấy tờ",
        "body": {"case": "HS-2026-000001", "text": "Nhắc việc: hồ sơ HS-2026-000001 cần giấy khai sinh."},
        "case_id": None,
    }
    values.update(kw)
    return OutboxMessage(**values)


def test_log_notifier_logs_kind_recipient_and_subject(caplog, monkeypatch):
    # Alembic's logging set-up during the test session disables loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("webapp.services.messaging.notifiers"), "disabled", False)
    with caplog.at_level(logging.INFO, logger="webapp.services.messaging.notifiers"):
        notifiers.LogNotifier().send(message())
    assert "notify reminder to justice_a: [HS-2026-000001] Nhắc việc" in caplog.text


def test_file_notifier_appends_one_json_line_per_message(tmp_path):
    path = tmp_path / "deep" / "notifications.jsonl"
    adapter = notifiers.FileNotifier(path)
    adapter.send(message(id=1))
    adapter.send(message(id=2, recipient="lead_a"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["id"] == 1 and second["recipient"] == "lead_a"
    assert first["subject"].endswith("Nhắc việc: bổ sung giấy tờ")  # Vietnamese kept readable
    assert "Nhắc việc" in lines[0]


def test_file_notifier_that_cannot_write_raises_delivery_error(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(notifiers.DeliveryError, match="cannot write"):
        notifiers.FileNotifier(blocker / "n.jsonl").send(message())


# --- e-mail: a minimal SMTP server ---------------------------------------------------------------


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greet, EHLO, MAIL, RCPT, DATA, QUIT."""

    def handle(self):
        server = self.server
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line.decode().strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 test\r\n")
            elif verb.startswith("MAIL FROM"):
                server.envelope = {"from": line.decode().strip(), "to": []}
                self.wfile.write(b"250 OK\r\n")
            elif verb.startswith("RCPT TO"):
                server.envelope["to"].append(line.decode().strip())
                self.wfile.write(b"250 OK\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk
                server.received.append(data)
                self.wfile.write(server.answer)
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


@contextmanager
def smtp_server(answer=b"250 queued\r\n"):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.daemon_threads = True
    server.received, server.answer, server.envelope = [], answer, None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_email_notifier_sends_through_smtp():
    with smtp_server() as server:
        port = server.server_address[1]
        adapter = notifiers.EmailNotifier("127.0.0.1", port, sender="cccd@congan.local")
        adapter.send(message(channel="email", recipient="truongca@congan.local"))
    assert [to.upper() for to in server.envelope["to"]] == ["RCPT TO:<TRUONGCA@CONGAN.LOCAL>"]
    mail = email.message_from_bytes(server.received[0], policy=email.policy.default)
    assert mail["To"] == "truongca@congan.local" and mail["From"] == "cccd@congan.local"
    assert mail["Subject"] == "[HS-2026-000001] Nhắc việc: bổ sung giấy tờ"
    assert "cần giấy khai sinh" in mail.get_content()


def test_email_refused_by_the_server_or_unreachable_is_a_delivery_error():
    with smtp_server(answer=b"554 rejected\r\n") as server:
        adapter = notifiers.EmailNotifier("127.0.0.1", server.server_address[1])
        with pytest.raises(notifiers.DeliveryError, match="SMTP"):
            adapter.send(message(channel="email", recipient="a@b.vn"))
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    with pytest.raises(notifiers.DeliveryError, match="SMTP"):
        notifiers.EmailNotifier("127.0.0.1", closed).send(message(channel="email", recipient="a@b.vn"))


def test_email_needs_an_address():
    with pytest.raises(notifiers.DeliveryError, match="not an e-mail address"):
        notifiers.EmailNotifier("127.0.0.1", 1).send(message(channel="email", recipient="lead_a"))


# --- SMS: an HTTP gateway --------------------------------------------------------------------------


@contextmanager
def sms_gateway(status=200):
    calls = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            length = int(self.headers["Content-Length"])
            calls.append({"headers": dict(self.headers), "body": json.loads(self.rfile.read(length))})
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/send", calls
    finally:
        server.shutdown()
        server.server_close()


def test_sms_notifier_posts_json_with_a_bearer_token():
    with sms_gateway() as (url, calls):
        notifiers.SmsNotifier(url, "tok-1").send(message(channel="sms", recipient="0912345678"))
    assert calls[0]["headers"]["Authorization"] == "Bearer tok-1"
    assert calls[0]["body"] == {
        "to": "0912345678",
        "text": "Nhắc việc: hồ sơ HS-2026-000001 cần giấy khai sinh.",
        "ref": "outbox-7",
    }


def test_sms_gateway_error_is_a_delivery_error():
    with (
        sms_gateway(status=503) as (url, _calls),
        pytest.raises(notifiers.DeliveryError, match="answered 503"),
    ):
        notifiers.SmsNotifier(url).send(message(channel="sms", recipient="0912345678"))


# --- choosing the adapter ------------------------------------------------------------------------


def test_channels_are_off_until_configured_and_failures_can_be_injected(app, monkeypatch):
    for name in ("SMTP_HOST", "SMS_GATEWAY_URL", "NOTIFY_FAIL"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(notifiers.for_channel("log"), notifiers.LogNotifier)
    assert isinstance(notifiers.for_channel("file"), notifiers.FileNotifier)
    for channel in ("email", "sms", "pigeon"):
        with pytest.raises(notifiers.DeliveryError, match="not configured"):
            notifiers.for_channel(channel)
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMS_GATEWAY_URL", "http://127.0.0.1:9/send")  # the environment works too
    assert isinstance(notifiers.for_channel("email"), notifiers.EmailNotifier)
    assert isinstance(notifiers.for_channel("sms"), notifiers.SmsNotifier)
    monkeypatch.setitem(app.config, "NOTIFY_FAIL", "log, population_sync")
    with pytest.raises(notifiers.DeliveryError, match="injected failure"):
        notifiers.for_channel("log").send(message())
    assert isinstance(notifiers.for_channel("file"), notifiers.FileNotifier)


def test_notify_channel_is_log_or_file(app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_BACKEND", "file")
    assert notifiers.notify_channel() == "file"
    monkeypatch.setitem(app.config, "NOTIFY_BACKEND", "carrier-pigeon")
    assert notifiers.notify_channel() == "log"
