import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="name", required=True)
    engine = sub.add_parser("engine", help="task completions per second: raw engine vs persisted")
    engine.add_argument("--cases", type=int, default=200, help="cases per path (clean and justice)")
    args = parser.parse_args(argv)
    if args.name == "engine":
        from .engine import run

        return run(args.cases)
    return 2


if __name__ == "__main__":
    sys.exit(main())
