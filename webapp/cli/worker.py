"""`flask --app webapp worker`: the background worker (docs/worker.md)."""

import logging
import signal
import threading

import click
from flask.cli import with_appcontext

from ..services import worker

log = logging.getLogger(__name__)


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM (systemd, a process manager) and SIGINT (Ctrl-C) end the worker after the item in
    hand; a second Ctrl-C interrupts at once."""

    def handler(signum, _frame):
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        log.info("%s received: stopping after the current item", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def serve(stop: threading.Event, once: bool, interval: float, batch: int, jobs: tuple[str, ...]) -> None:
    try:
        with worker.single_on_sqlite():
            worker.run(
                stop,
                interval=interval,
                batch=batch,
                jobs=jobs,
                once=once,
                report=(lambda result: click.echo(str(result))) if once else None,
            )
    except worker.AlreadyRunning as exc:
        raise click.ClickException(str(exc)) from None


@click.command("worker")
@click.option("--once", is_flag=True, help="One round, then exit (cron, tests).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="Seconds to sleep when nothing was due.",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Outbox messages per transaction.",
)
@click.option(
    "--only",
    type=click.Choice(worker.JOBS),
    multiple=True,
    help="Only these kinds of work (repeatable); all by default.",
)
@with_appcontext
def worker_command(once, interval, batch, only):
    """Fire due timers, send notifications and hand-offs (with retries), run queued imports."""
    stop = threading.Event()
    if not once:
        stop_on_signals(stop)
        log.info("worker started (interval %ss, batch %s)", interval, batch)
    serve(stop, once, interval, batch, tuple(only) or worker.JOBS)
    if not once:
        log.info("worker stopped")
