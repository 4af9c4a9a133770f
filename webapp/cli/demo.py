"""`flask --app webapp seed-demo`: the demo data of `make run`."""

import click

from ..services.demo import seed


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
