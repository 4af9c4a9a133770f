"""Channel adapters behind one interface: `send(message)` delivers an outbox message or raises.

Out of the box a notification is logged (`log`) or appended as one JSON line to NOTIFY_FILE
(`file`), which another process may tail and relay. E-mail (SMTP) and SMS (an HTTP gateway) are
adapters of the same shape, off until configured. Other channels register their adapter in
`ADAPTERS` at start-up (services/hooks.py): `population_sync` is the hand-off of a civil-status
correction to the population database (services/messaging/population_sync.py).

Settings are read from the app config, then the environment (SMTP_HOST=... flask worker).
"""

import json
import logging
import os
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from flask import current_app

from ...models import OutboxMessage
from .. import clock

log = logging.getLogger(__name__)

NOTIFY_CHANNELS = ("log", "file")  # where notifications to officers go (NOTIFY_BACKEND)
CHANNELS = (*NOTIFY_CHANNELS, "email", "sms", "population_sync")


class DeliveryError(Exception):
    """The channel could not deliver the message now; the outbox retries with back-off."""


class Notifier(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


# Adapters of channels other modules own, by channel: a factory of the adapter.
ADAPTERS: dict[str, Callable[[], Notifier]] = {}


def setting(name: str, default=None):
    value = current_app.config.get(name)
    if value in (None, ""):
        value = os.environ.get(name)
    return default if value in (None, "") else value


def _failing() -> set[str]:
    """NOTIFY_FAIL: channels that fail on purpose (a comma list), for tests and drills."""
    value = setting("NOTIFY_FAIL", "")
    return {c.strip() for c in value.split(",")} if isinstance(value, str) else set(value)


def as_record(message: OutboxMessage) -> dict:
    return {
        "id": message.id,
        "kind": message.kind,
        "channel": message.channel,
        "recipient": message.recipient,
        "subject": message.subject,
        "body": message.body,
        "case_id": message.case_id,
        "sent_at": clock.now().isoformat(),
    }


class LogNotifier:
    def send(self, message: OutboxMessage) -> None:
        log.info(
            "notify %s to %s: %s (outbox %s)",
            message.kind,
            message.recipient or "-",
            message.subject,
            message.id,
        )


class FileNotifier:
    """One JSON line per message, appended and flushed. O_APPEND keeps lines from several
    worker processes whole."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def send(self, message: OutboxMessage) -> None:
        line = json.dumps(as_record(message), ensure_ascii=False, default=str) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as out:
                out.write(line)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise DeliveryError(f"cannot write {self.path}: {exc}") from exc


class EmailNotifier:
    """Plain-text mail through an SMTP relay (SMTP_HOST, SMTP_PORT, SMTP_FROM, SMTP_USER,
    SMTP_PASSWORD, SMTP_STARTTLS=1). The recipient is an address."""

    def __init__(self, host, port=25, sender="cccd@localhost", user=None, password=None, starttls=False):
        self.host, self.port, self.sender = host, int(port), sender
        self.user, self.password, self.starttls = user, password, starttls

    def send(self, message: OutboxMessage) -> None:
        if not message.recipient or "@" not in message.recipient:
            raise DeliveryError(f"not an e-mail address: {message.recipient!r}")
        mail = EmailMessage()
        mail["From"], mail["To"] = self.sender, message.recipient
        mail["Subject"] = message.subject or message.kind
        mail.set_content(_text(message))
        try:
            with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc}") from exc


class SmsNotifier:
    """POSTs {"to", "text", "ref"} as JSON to an SMS gateway (SMS_GATEWAY_URL, optional
    SMS_GATEWAY_TOKEN as a bearer token); any answer but 2xx is a failure."""

    def __init__(self, url: str, token: str | None = None):
        self.url, self.token = url, token

    def send(self, message: OutboxMessage) -> None:
        if not message.recipient:
            raise DeliveryError("no phone number")
        payload = {"to": message.recipient, "text": _text(message), "ref": f"outbox-{message.id}"}
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (configured URL)
                answer.read()
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"SMS gateway answered {exc.code}") from exc
        except (OSError, ValueError) as exc:
            raise DeliveryError(f"SMS gateway: {exc}") from exc


class Failing:
    def __init__(self, channel: str):
        self.channel = channel

    def send(self, message: OutboxMessage) -> None:
        raise DeliveryError(f"injected failure on channel {self.channel} (NOTIFY_FAIL)")


def _text(message: OutboxMessage) -> str:
    body = message.body or {}
    return body.get("text") or message.subject or message.kind


def for_channel(channel: str) -> Notifier:
    """The adapter of a channel, built from the current settings; DeliveryError when the
    channel is unknown or not configured (the message waits and is retried)."""
    if channel in _failing():
        return Failing(channel)
    if channel == "log":
        return LogNotifier()
    if channel == "file":
        return FileNotifier(setting("NOTIFY_FILE", "notifications.jsonl"))
    if channel in ADAPTERS:
        return ADAPTERS[channel]()
    if channel == "email" and setting("SMTP_HOST"):
        return EmailNotifier(
            setting("SMTP_HOST"),
            setting("SMTP_PORT", 25),
            setting("SMTP_FROM", "cccd@localhost"),
            setting("SMTP_USER"),
            setting("SMTP_PASSWORD"),
            str(setting("SMTP_STARTTLS", "0")) in ("1", "true", "True"),
        )
    if channel == "sms" and setting("SMS_GATEWAY_URL"):
        return SmsNotifier(setting("SMS_GATEWAY_URL"), setting("SMS_GATEWAY_TOKEN"))
    raise DeliveryError(f"channel {channel!r} is not configured")


def notify_channel() -> str:
    """The channel for notifications to officers: NOTIFY_BACKEND, log or file."""
    backend = setting("NOTIFY_BACKEND", "log")
    return backend if backend in NOTIFY_CHANNELS else "log"
