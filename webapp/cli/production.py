"""`flask --app webapp batches dispatch`: the nightly dispatch batches to the production centre."""

import click
from flask.cli import AppGroup

from ..services.production import batches

batches_cli = AppGroup("batches", help="Production and delivery batches.")


@batches_cli.command("dispatch")
@click.option("--keep-open", is_flag=True, help="leave the batches open for the leads to send")
def dispatch_command(keep_open: bool):
    """One dispatch batch per unit with approved cases outside a batch (run nightly)."""
    made = batches.dispatch_all(send_now=not keep_open)
    for code in made:
        click.echo(code)
    click.echo(f"{len(made)} batch(es) made")
