"""Command line: python -m storage.sample build PATH [PATH...] [--built-for DATE]"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from datetime import date

from storage.sample.build import build_sample
from storage.sample.builder import DEFAULT_BUILT_FOR, GENERATOR_VERSION


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage.sample",
                                     description="Build the made-up sample database.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="write the sample database (the first PATH is built, "
                                          "the others are byte copies of it)")
    build.add_argument("paths", nargs="+", metavar="PATH")
    build.add_argument("--built-for", type=date.fromisoformat, default=DEFAULT_BUILT_FOR,
                       help=f"the date the scenarios are built around (default {DEFAULT_BUILT_FOR})")
    args = parser.parse_args(argv)
    first = build_sample(args.paths[0], args.built_for)
    for other in args.paths[1:]:
        shutil.copyfile(first, other)
    print(f"built {', '.join(args.paths)} for {args.built_for} (generator {GENERATOR_VERSION})")
    return 0

