"""`flask --app webapp stats rebuild-daily`: recount the progress figures from their sources.

The case engine keeps the daily stage counts as cases move, and triggers keep the case counts;
this is for data written before they existed (demo data, an upgraded database), after a manual
repair, or from cron early each day so that nobody waits for the day's resident count. One
transaction: everything is recounted, or nothing changes."""

import time

import click
from flask.cli import AppGroup

from ..services import uow
from ..services.supervision import progress_figures, stage_counts

stats_cli = AppGroup("stats", help="Progress figures.")


@stats_cli.command("rebuild-daily")
def rebuild_daily():
    """Daily stage counts from the audit trail (case_events), case counts from the cases, and
    today's resident figures (who must apply, eIDs activated) of every unit."""
    started = time.perf_counter()
    with uow.command():
        totals = stage_counts.rebuild()
        cases = progress_figures.rebuild_case_counts()
        units = progress_figures.recount_residents()
    summary = ", ".join(f"{stage} {n}" for stage, n in totals.items())
    click.echo(f"stage counts rebuilt: {summary}")
    click.echo(f"case counts rebuilt: {cases} cases; residents counted in {units} units")
    click.echo(f"in {time.perf_counter() - started:.1f}s")
