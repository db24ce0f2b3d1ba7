"""The `caseload` entry point: start-up without the cyclic garbage collector,
and with the project's dataclasses compiling their methods when first called.

The collector's handling (why, when it resumes, the switch that turns it
off) lives in storage/collector.py, the dataclasses' in tui/lazy_methods.py;
this module only starts the command line with both in place, before
anything else is imported.
"""

from __future__ import annotations

from storage.collector import pause_for_startup
from tui import lazy_methods


def main(argv: list[str] | None = None) -> None:
    pause_for_startup()
    lazy_methods.install()  # the project's dataclasses compile their methods when first called
    from tui.cli import main as cli_main

    cli_main(argv, prog_name="caseload")
