"""`flask --app webapp units ...` and `users ...`: the unit tree and user accounts."""

import time

import click
from flask.cli import AppGroup

from ..services import uow
from ..services.accounts import units, users
from ..services.errors import ServiceError
from .common import fail

units_cli = AppGroup("units", help="Administrative units.")
users_cli = AppGroup("users", help="User accounts.")


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
        fail(exc)
    click.echo(f"created {user.username} ({user.role}) at {unit_code}")
