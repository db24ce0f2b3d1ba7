"""Every `caseload` command, by name, and the module that defines it: the one
place a command is registered (the README's command list is checked against
it by tests/test_cli_registry.py).

The root group (`tui.cli.root`) imports a module only when one of its
commands runs or `--help` lists it, so `caseload warnings` does not pay for
building every other command, and each command module imports what its
commands need inside them.
"""

from __future__ import annotations

from importlib import import_module

COMMANDS: dict[str, str] = {
    "demo": "tui.cli.interactive",
    "init": "tui.cli.data",
    "import": "tui.cli.data",
    "export": "tui.cli.data",
    "warnings": "tui.cli.warnings",
    "week": "tui.cli.week",
    "appointment": "tui.cli.appointment",
    "handover": "tui.cli.handover",
    "rebalance": "tui.cli.rebalance",
    "report": "tui.cli.report",
    "supervision": "tui.cli.supervision",
    "audit": "tui.cli.admin",
    "backup": "tui.cli.admin",
    "restore": "tui.cli.admin",
    "copy": "tui.cli.admin",
    "check": "tui.cli.admin",
    "server": "tui.cli.server",
    "checkin": "tui.cli.checkin",
    "team": "tui.cli.team",
}


def load_command(name: str):
    """The click command registered as `name` (LookupError if its module does
    not define it: a registry entry that names the wrong module)."""
    module = import_module(COMMANDS[name])
    for command in module.COMMANDS:
        if command.name == name:
            return command
    raise LookupError(f"{COMMANDS[name]} defines no command {name!r}")
