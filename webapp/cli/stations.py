"""`flask --app webapp stations mark-no-shows`: the nightly no-show count of stations."""

import click
from flask.cli import AppGroup

from ..services import uow
from ..services.errors import ServiceError
from ..services.stations import checkin

stations_cli = AppGroup("stations", help="Reception stations and appointments.")


@stations_cli.command("mark-no-shows")
def mark_no_shows_command():
    """Mark the appointments of past days still "booked" as no-shows (run nightly)."""
    try:
        with uow.command():
            marked = checkin.mark_no_shows()
    except ServiceError as exc:  # pragma: no cover - no input to get wrong
        raise click.ClickException(exc.message.en) from None
    click.echo(f"{marked} appointment(s) marked no-show")
