"""Which identity law applies: the one in force on the application date.

The 2014 Law on Citizen Identification until the cut-over date, the 2023 Identity Law from it
(1 July 2024; `IDENTITY_LAW_2023_FROM` changes it). Every entry point (the web check-in and
walk-in, the API, the command line, the listing) asks here, so a case started on 30 June 2024
and one started on 1 July 2024 get different laws whatever the process that starts them.
`IDENTITY_LAW` set to "2014" or "2023" forces one law everywhere (drills, tests); left unset
the date decides.
"""

from datetime import date

from flask import current_app

LAWS = ("2014", "2023")
DEFAULT_CUTOVER = date(2024, 7, 1)


def cutover() -> date:
    configured = current_app.config.get("IDENTITY_LAW_2023_FROM")
    if isinstance(configured, date):
        return configured
    try:
        return date.fromisoformat(configured) if configured else DEFAULT_CUTOVER
    except ValueError:
        return DEFAULT_CUTOVER


def law_on(day: date) -> str:
    """The law in force on `day` ("2014" or "2023")."""
    forced = current_app.config.get("IDENTITY_LAW")
    if forced in LAWS:
        return forced
    return "2023" if day >= cutover() else "2014"
