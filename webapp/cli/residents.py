"""`flask --app webapp residents import FILE`: the resident file import on the command line.

Runs as the system (no unit scope), shows a progress bar and a summary; the exit code is 1 when
the whole file was refused (nothing written), 0 otherwise, even with rejected rows (the report
names them)."""

from pathlib import Path

import click
from flask.cli import AppGroup
from tqdm import tqdm

from ..services import uow
from ..services.residents import import_jobs

residents_cli = AppGroup("residents", help="The resident registry.")


@residents_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress bar.")
def residents_import(file: Path, quiet: bool):
    """Import a CSV or XLSX resident file (docs/resident-import.md)."""
    size = file.stat().st_size
    with uow.command():
        job_id = import_jobs.create_job(None, file.name, size).id
    bar = tqdm(total=size, unit="B", unit_scale=True, unit_divisor=1024, desc=file.name, disable=quiet)

    def progress(stats: dict) -> None:
        bar.update(stats["read_bytes"] - bar.n)
        bar.set_postfix(rows=stats["rows"], rejected=stats["rejected"], refresh=False)

    job = import_jobs.run(job_id, file, progress)
    bar.close()
    problem = import_jobs.error_message(job)
    if problem is not None:
        raise click.ClickException(f"import {job.id}: {problem.vi} / {problem.en}")
    click.echo(
        f"import {job.id}: {job.rows} rows, {job.created} created, {job.updated} updated, "
        f"{job.rejected} rejected, {job.flagged} flagged (ID disagrees with the record)"
    )
    if job.rejected:
        click.echo(f"rejected rows: {import_jobs.report_path(job)}")
