"""What the commands share: a service error as a click error in both languages, a user by name."""

import click

from ..services.accounts import users
from ..services.errors import ServiceError


def fail(exc: ServiceError) -> None:
    lines = [exc.message.vi + " / " + exc.message.en]
    for field, problems in exc.fields.items():
        lines += [f"  {field}: {p.vi} / {p.en}" for p in problems]
    raise click.ClickException("\n".join(lines))


def user_named(username: str):
    user = users.by_username(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user
