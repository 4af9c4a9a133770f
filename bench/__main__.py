import argparse
import sys


def _db_option(parser, more: str = "") -> None:
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgresql"],
        action="append",
        help="database (repeatable); default SQLite, and PostgreSQL when TEST_DATABASE_URL names one" + more,
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="name", required=True)
    engine = sub.add_parser("engine", help="task completions per second: raw engine vs persisted")
    engine.add_argument("--cases", type=int, default=200, help="cases per path (clean and justice)")
    web = sub.add_parser("web", help="server time of the inbox, a name search and a case page")
    web.add_argument("--cases", type=int, default=100_000, help="cases seeded in bulk")
    web.add_argument("--requests", type=int, default=200, help="requests per page measured")
    _db_option(web)
    web.add_argument("--explain", action="store_true", help="print every statement's query plan")
    imports = sub.add_parser("import", help="resident file import: rows per second")
    imports.add_argument("--rows", type=int, default=1_000_000, help="rows generated and imported")
    _db_option(imports)
    dashboard = sub.add_parser("dashboard", help="server time of the progress pages and the stuck-cases list")
    dashboard.add_argument("--cases", type=int, default=1_000_000, help="cases seeded in bulk")
    dashboard.add_argument("--requests", type=int, default=30, help="requests per page measured")
    _db_option(dashboard, " (its schema is dropped and rebuilt)")
    dashboard.add_argument("--explain", action="store_true", help="print the slow statements' query plans")
    dashboard.add_argument(
        "--reuse", action="store_true", help="PostgreSQL: measure what an earlier run seeded, without seeding"
    )
    served = sub.add_parser("http", help="the real server under 1, 8 and 32 clients driving whole cases")
    served.add_argument(
        "--clients", default="1,8,32", help="comma-separated numbers of concurrent clients (default 1,8,32)"
    )
    served.add_argument(
        "--nodes", type=int, choices=[1, 2], default=1, help="gunicorn nodes (ports) to alternate"
    )
    served.add_argument("--cases-per-client", type=int, default=4, help="cases each client drives per run")
    served.add_argument("--min-cases", type=int, default=16, help="cases per run at least")
    _db_option(served, " (its schema is dropped and rebuilt)")
    signin = sub.add_parser("signin", help="server time of signing in with the production hash settings")
    signin.add_argument("--requests", type=int, default=20, help="sign-ins measured per case")
    signin.add_argument("--method", help="PASSWORD_HASH_METHOD to measure instead of the app's")
    args = parser.parse_args(argv)
    if args.name == "engine":
        from .engine import run

        return run(args.cases)
    if args.name == "web":
        from .web import run

        return run(args.cases, args.requests, args.db, args.explain)
    if args.name == "import":
        from .imports import run

        return run(args.rows, args.db)
    if args.name == "http":
        from .http import run

        clients = [int(n) for n in args.clients.split(",") if n.strip()]
        return run(clients, args.db, args.nodes, args.cases_per_client, args.min_cases)
    if args.name == "dashboard":
        from .dashboard import run

        return run(args.cases, args.requests, args.db, args.explain, args.reuse)
    if args.name == "signin":
        from .sign_in import run

        return run(args.requests, args.method)
    return 2


if __name__ == "__main__":
    sys.exit(main())
