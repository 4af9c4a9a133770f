"""Command line: `flask --app webapp ...`. Each command is one transaction."""

import json
import threading
import time

import click
from flask import Flask
from flask.cli import AppGroup

from . import cli_residents, cli_stats, cli_worker
from .models import CaseTask, db
from .services import uow
from .services import worker as worker_service
from .services.accounts import units, users
from .services.cases import commands as case_service
from .services.cases import tasks as task_service
from .services.demo import seed
from .services.errors import ServiceError

units_cli = AppGroup("units", help="Administrative units.")
users_cli = AppGroup("users", help="User accounts.")
cases_cli = AppGroup("cases", help="Start, inspect and advance cases.")
timers_cli = AppGroup("timers", help="Fire due timers (reminders, escalations).")


def init_app(app: Flask) -> None:
    for group in (units_cli, users_cli, cases_cli, timers_cli):
        app.cli.add_command(group)
    app.cli.add_command(seed_demo)
    for command in (cli_residents.residents_cli, cli_stats.stats_cli, cli_worker.worker_command):
        app.cli.add_command(command)


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


@units_cli.command("load")
@click.option("--province", default=None, help="Only this province of today's 34 (code, e.g. 37).")
@click.option("--crosswalk/--no-crosswalk", default=True, help="Also load data/unit_crosswalk.csv.")
def units_load(province, crosswalk):
    """Today's provinces and communes from `vietnam-provinces`; idempotent, in bulk."""
    started = time.perf_counter()
    try:
        with uow.command():
            counts = units.load_all(province)
            walk = units.load_crosswalk() if crosswalk else None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"provinces: {counts.provinces}, communes: {counts.communes} "
        f"({counts.created} created, {counts.renamed} renamed) in {time.perf_counter() - started:.2f}s"
    )
    if walk is not None:
        _echo_crosswalk(walk, list_unloaded=province is None)


@units_cli.command("load-crosswalk")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def units_load_crosswalk(path):
    """Pre-2025 codes (old_code,old_name,old_level,new_code) -> today's units."""
    try:
        with uow.command():
            walk = units.load_crosswalk(path)
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(str(exc)) from None
    _echo_crosswalk(walk)


def _echo_crosswalk(walk, list_unloaded: bool = True) -> None:
    click.echo(
        f"crosswalk: {walk.loaded} old codes ({walk.created} created, {walk.updated} updated), "
        f"{len(walk.skipped)} skipped, {len(walk.unloaded)} pointing to units not loaded"
    )
    shown = walk.skipped + (walk.unloaded if list_unloaded else [])
    for line, reason in sorted(shown)[:20]:
        click.echo(f"  line {line}: {reason}")


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
    from .services.cases import case_view

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
    """Fire every due timer, one case per transaction; several of these may run at once
    (PostgreSQL). The timers part of `flask worker`, which also sends the notifications."""
    if loop:
        stop = threading.Event()
        cli_worker.stop_on_signals(stop)
        cli_worker.serve(stop, False, interval, 50, ("timers",))
        return
    click.echo(f"fired timers on {worker_service.fire_due_timers()} case(s)")


@click.command("seed-demo")
@click.option("--residents", default=3000, show_default=True)
@click.option("--cases", "case_count", default=400, show_default=True)
def seed_demo(residents, case_count):
    """Load demo data once: a real province, users for every role, residents and cases."""
    if seed.already_seeded():
        click.echo("demo data already present")
    else:
        seed.seed(residents, case_count, echo=click.echo)
    click.echo(seed.logins_text())
