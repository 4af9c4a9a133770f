"""Command line: `flask --app webapp ...`. Each command is one transaction."""

import json
import sys
import time

import click
from flask import Flask
from flask.cli import AppGroup

from .models import CaseTask, db
from .services import cases as case_service
from .services import demo, units, uow, users
from .services import tasks as task_service
from .services.errors import ServiceError

units_cli = AppGroup("units", help="Administrative units.")
users_cli = AppGroup("users", help="User accounts.")
cases_cli = AppGroup("cases", help="Start, inspect and advance cases.")
timers_cli = AppGroup("timers", help="Fire due timers (reminders, escalations).")


def init_app(app: Flask) -> None:
    for group in (units_cli, users_cli, cases_cli, timers_cli):
        app.cli.add_command(group)
    app.cli.add_command(seed_demo)


def _fail(exc: ServiceError) -> None:
    lines = [exc.message.vi + " / " + exc.message.en]
    for field, problems in exc.fields.items():
        lines += [f"  {field}: {p.vi} / {p.en}" for p in problems]
    raise click.ClickException("\n".join(lines))


def _user(username: str):
    user = users.by_username(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


@units_cli.command("list")
@click.option("--parent", default=None, help="Code of the parent unit; none lists the roots.")
def units_list(parent):
    for unit in units.children(parent):
        click.echo(f"{unit.code}\t{unit.name}\t{unit.level}")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True)
@click.option("--unit", "unit_code", required=True)
@click.option("--password", required=True)
@click.option("--full-name", default="")
def users_create(username, role, unit_code, password, full_name):
    try:
        with uow.command():
            user = users.create(username, role, unit_code, password, full_name)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"created {user.username} ({user.role}) at {unit_code}")


@cases_cli.command("start")
@click.argument("personal_id")
@click.option("--kind", default="new", show_default=True)
@click.option("--priority", default=None)
@click.option("--as", "username", required=True, help="The officer who takes the application.")
def cases_start(personal_id, kind, priority, username):
    try:
        with uow.command():
            case = case_service.start_case(_user(username), personal_id, kind, priority)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"{case.code}\t{case.status}\t{case.current_steps}")


@cases_cli.command("show")
@click.argument("code")
def cases_show(code):
    from .services import case_view

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
    user = _user(username)
    try:
        case = case_service.get_case(user, code)
        ready = [t for t in db.session.query(CaseTask).filter_by(case_id=case.id) if step in (None, t.step)]
        if len(ready) != 1:
            raise click.ClickException(f"ready steps: {case.current_steps or 'none'}; choose one with --step")
        with uow.command():
            case = task_service.complete(user, ready[0].id, data)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"{case.code}\t{case.status}\t{case.current_steps}")


@cases_cli.command("withdraw")
@click.argument("code")
@click.option("--as", "username", required=True)
@click.option("--reason", required=True)
def cases_withdraw(code, username, reason):
    try:
        with uow.command():
            case = case_service.withdraw(_user(username), code, reason)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"{case.code}\t{case.status}")


@timers_cli.command("run")
@click.option("--loop", is_flag=True, help="Keep running, checking every --interval seconds.")
@click.option("--interval", default=30, show_default=True)
def timers_run(loop, interval):
    """Fire every due timer, one case per transaction; several of these may run at once."""
    while True:
        fired = 0
        while True:
            with uow.command():
                case = case_service.claim_due_case()
                if case is None:
                    break
                case_service.fire_timers(case)
                fired += 1
        click.echo(f"fired timers on {fired} case(s)")
        if not loop:
            return
        sys.stdout.flush()
        time.sleep(interval)


@click.command("seed-demo")
@click.option("--residents", default=3000, show_default=True)
@click.option("--cases", "case_count", default=400, show_default=True)
def seed_demo(residents, case_count):
    """Load demo data once: a real province, users for every role, residents and cases."""
    if demo.already_seeded():
        click.echo("demo data already present")
    else:
        demo.seed(residents, case_count, echo=click.echo)
    click.echo(demo.logins_text())
