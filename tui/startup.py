"""The `caseload` entry point: start-up without the cyclic garbage collector.

The collector's handling (why, when it resumes, the switch that turns it
off) lives in storage/collector.py; this module only starts the command
line with it in place, before anything else is imported.
"""

from __future__ import annotations

from storage.collector import pause_for_startup


def main(argv: list[str] | None = None) -> None:
    pause_for_startup()
    from tui.cli import main as cli_main

    cli_main(argv, prog_name="caseload")
