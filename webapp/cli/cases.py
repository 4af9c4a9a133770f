"""`flask --app webapp cases ...` and `timers run`: cases from the command line, each command one
transaction."""

import json
import threading

import click
from flask.cli import AppGroup

from ..services import uow
from ..services import worker as worker_service
from ..services.cases import case_view, commands, tasks
from ..services.errors import ServiceError
from . import worker as worker_cli
from .common import fail, user_named

cases_cli = AppGroup("cases", help="Start, inspect and advance cases.")
timers_cli = AppGroup("timers", help="Fire due timers (reminders, escalations).")


@cases_cli.command("start")
@click.argument("personal_id")
@click.option("--kind", default="new", show_default=True)
@click.option("--priority", default=None)
@click.option("--as", "username", required=True, help="The officer who takes the application.")
def cases_start(personal_id, kind, priority, username):
    try:
        with uow.command():
            case = commands.start_case(user_named(username), personal_id, kind, priority)
    except ServiceError as exc:
        fail(exc)
    click.echo(f"{case.code}\t{case.status}\t{case.current_steps}")


@cases_cli.command("show")
@click.argument("code")
def cases_show(code):
    info = case_view.describe(code)
    if info is None:
        raise click.ClickException(f"no case {code}")
    click.echo(json.dumps(info, ensure_ascii=False, indent=2, default=str))


@cases_cli.command("advance")
@click.argument("code")
@click.option("--as", "username", required=True)
@click.option("--step", default=None, help="Which ready step, when several are ready.")
@click.option(
    "--data", "data_json", default="{}", help="The step's form data as JSON, e.g. '{\"confirmed\": true}'."
)
def cases_advance(code, username, step, data_json):
    try:
        data = json.loads(data_json)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"--data is not valid JSON: {exc}") from None
    user = user_named(username)
    try:
        case = commands.get_case(user, code)
        ready = [t for t in case_view.ready_tasks(case) if step in (None, t.step)]
        if len(ready) != 1:
            raise click.ClickException(f"ready steps: {case.current_steps or 'none'}; choose one with --step")
        with uow.command():
            work = tasks.take(user, ready[0].id)
            tasks.complete_taken(user, work, data)
            line = f"{work.case.code}\t{work.case.status}\t{work.case.current_steps}"
    except ServiceError as exc:
        fail(exc)
    click.echo(line)


@cases_cli.command("withdraw")
@click.argument("code")
@click.option("--as", "username", required=True)
@click.option("--reason", required=True)
def cases_withdraw(code, username, reason):
    try:
        with uow.command():
            case = commands.withdraw(user_named(username), code, reason)
    except ServiceError as exc:
        fail(exc)
    click.echo(f"{case.code}\t{case.status}")


@timers_cli.command("run")
@click.option("--loop", is_flag=True, help="Keep running, checking every --interval seconds.")
@click.option("--interval", default=30, show_default=True)
def timers_run(loop, interval):
    """Fire every due timer, one case per transaction; several of these may run at once
    (PostgreSQL). The timers part of `flask worker`, which also sends the notifications."""
    if loop:
        stop = threading.Event()
        worker_cli.stop_on_signals(stop)
        worker_cli.serve(stop, False, interval, 50, ("timers",))
        return
    click.echo(f"fired timers on {worker_service.fire_due_timers()} case(s)")
