"""The `caseload` entry point: start-up without the cyclic garbage collector,
and the app's start without the command line when that is all it is asked.

The collector's handling (why, when it resumes, the switch that turns it
off) lives in storage/collector.py, and SQLAlchemy's import without asyncio
in storage/lean_import.py; this module starts both before anything else is
imported. A command line of the app's own options only is read by
tui/launch.py (`app_options`) and the app started without click; anything
else goes to the command line (tui.cli).
"""

from __future__ import annotations

import sys

from storage.collector import pause_for_startup
from storage.lean_import import install as lean_imports


def main(argv: list[str] | None = None) -> None:
    pause_for_startup()
    lean_imports()
    from tui.launch import app_options, start

    options = app_options(sys.argv[1:] if argv is None else list(argv))
    if options is not None:
        start(options)
        return
    from tui.cli import main as cli_main

    cli_main(argv, prog_name="caseload")
