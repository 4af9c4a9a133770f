import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="name", required=True)
    engine = sub.add_parser("engine", help="task completions per second: raw engine vs persisted")
    engine.add_argument("--cases", type=int, default=200, help="cases per path (clean and justice)")
    web = sub.add_parser("web", help="server time of the inbox, a name search and a case page")
    web.add_argument("--cases", type=int, default=100_000, help="cases seeded in bulk")
    web.add_argument("--requests", type=int, default=200, help="requests per page measured")
    web.add_argument(
        "--db",
        choices=["sqlite", "postgresql"],
        action="append",
        help="database (repeatable); default SQLite, and PostgreSQL when TEST_DATABASE_URL names one",
    )
    web.add_argument("--explain", action="store_true", help="print every statement's query plan")
    args = parser.parse_args(argv)
    if args.name == "engine":
        from .engine import run

        return run(args.cases)
    if args.name == "web":
        from .web import run

        return run(args.cases, args.requests, args.db, args.explain)
    return 2


if __name__ == "__main__":
    sys.exit(main())
