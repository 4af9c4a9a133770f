"""Command line: `flask --app webapp ...`, one module per capability, every command registered
here in this one list. Commands call services, one transaction each, like a request."""

from flask import Flask

from . import accounts, cases, demo, production, residents, stations, supervision, worker

COMMANDS = (
    demo.seed_demo,
    accounts.units_cli,
    accounts.users_cli,
    cases.cases_cli,
    cases.timers_cli,
    residents.residents_cli,
    stations.stations_cli,
    production.batches_cli,
    supervision.stats_cli,
    worker.worker_command,
)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
