"""`python -m tui.cli`: the same as the `caseload` command."""

from tui.cli import main

main(prog_name="caseload")
