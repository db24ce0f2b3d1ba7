"""The `caseload` command line (README, Using it).

Every command resolves the database the same way (`--db`, `CASELOAD_DB`, the
user data folder), runs in one transaction where it writes, and on any
problem prints one line on stderr and exits non-zero: never a traceback
(set CASELOAD_DEBUG=1 to see one while developing).

    base.py      the context, the date type, the group, table and file helpers
    errors.py    a failure as one line and an exit status
    registry.py  every command by name and its module (the one place)
    root.py      the `caseload` group itself
    interactive.py, data.py, warnings.py, week.py, handover.py, rebalance.py,
    supervision.py, admin.py, server.py: one module per command group
"""

from __future__ import annotations

from tui.cli.root import main

__all__ = ["main"]
