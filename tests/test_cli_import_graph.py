"""What each read command imports: the guard behind the command benchmark
(bench/bench_commands.py, README "Performance").

A read command reads through `storage.reader` and `storage.queries` and
imports neither SQLAlchemy nor SQLModel (their import alone is 2-5 times
`caseload --help`); one that records an export in the audit trail writes
that event on the driver's own connection too (`storage.audit.record_now`
with a `storage.reader.Database`). Every read command of the benchmark runs here in a fresh process on a
copy of the sample, twice (the first run may write the checklist ticks the
records give: `tui/cli/handover.py`, `_synced`), and the second run's
`sys.modules` is checked. A new read command added to the benchmark (as
docs/ARCHITECTURE.md's checklist says) is checked with no change here; one
that runs on SQLAlchemy Core (no ORM) is listed in `ON_CORE` with why.

A write command runs on SQLAlchemy Core (storage/repo, docs/ARCHITECTURE.md
"The write path") and imports neither SQLModel nor `sqlalchemy.orm` nor
pydantic: every write of the benchmark is held to that.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_commands", ROOT / "bench" / "bench_commands.py")
bench = sys.modules["bench_commands"] = importlib.util.module_from_spec(_spec)  # its dataclass looks itself up
_spec.loader.exec_module(bench)

ORM = {"sqlalchemy", "sqlmodel", "pydantic", "alembic"}
#: reads that run on SQLAlchemy Core (no ORM), and why (none now: `import --dry-run` runs the
#: import's own checks on the Reader, storage/csvio/importer.py)
ON_CORE: dict[str, str] = {}

PROBE = """
import atexit, json, os, sys
atexit.register(lambda: open(os.environ["PROBE_OUT"], "w").write(json.dumps(sorted(sys.modules))))
from tui.cli import main
main(sys.argv[1:], prog_name="caseload")
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, list]:
    work = tmp_path_factory.mktemp("graph")
    db = work / "sample.db"
    shutil.copyfile(ROOT / "sample.db", db)
    db.chmod(0o600)
    return db, bench.commands(bench.pick(db), work)


def imported(db: Path, args: tuple[str, ...], out: Path, *, full: bool = False) -> tuple[int, set[str]]:
    """(exit status, the top-level packages imported; `full`: every module's name)."""
    env = {**os.environ, "PROBE_OUT": str(out), "HOME": str(out.parent), "NO_COLOR": "1"}
    env.pop("CASELOAD_DB", None)
    done = subprocess.run([sys.executable, "-c", PROBE, "--db", str(db), *args], env=env, capture_output=True,
                          text=True, cwd=ROOT, check=False)
    names = json.loads(out.read_text())
    return done.returncode, set(names) if full else {name.split(".")[0] for name in names}


def _labels(kind: str) -> list[str]:
    with tempfile.TemporaryDirectory() as work:
        return [c.label for c in bench.commands(bench.pick(ROOT / "sample.db"), Path(work)) if c.kind == kind]


READS = _labels("read")


@pytest.mark.parametrize("label", READS)
def test_a_read_command_imports_no_orm(label, sample, tmp_path):
    db, commands = sample
    command = next(c for c in commands if c.label == label)
    for _ in range(2):
        status, modules = imported(db, command.args, tmp_path / "modules.json")
    assert status == command.status, label
    allowed = {"sqlalchemy"} if label in ON_CORE else set()
    assert not (modules & ORM) - allowed, f"{label} imports {sorted(modules & ORM)}"


def test_the_probe_sees_the_orm_where_it_is_imported(sample, tmp_path):
    """The check itself can fail: the same file imported for real writes
    through SQLAlchemy Core, and the probe sees it; its dry run does not."""
    db, commands = sample
    work = tmp_path / "write.db"
    shutil.copyfile(db, work)
    work.chmod(0o600)
    dry = next(c for c in commands if c.label == "import --dry-run")
    real = next(c for c in commands if c.label == "import")
    status, modules = imported(work, real.args, tmp_path / "modules.json")
    assert status == 0
    assert "sqlalchemy" in modules
    status, modules = imported(work, dry.args, tmp_path / "modules.json")
    assert status == 0
    assert "sqlalchemy" not in modules


#: commands the benchmark leaves out, and why (bench/bench_commands.py's docstring)
NOT_BENCHED = {
    "demo": "the app: bench/bench_startup.py times its start",
    "restore": "replaces the database the bench reads",
    "copy": "copies to a second database (a team server)",
    "server add-login": "PostgreSQL only",
    "server logins": "PostgreSQL only",
    "team link": "the administrator's one-off setting of a team, a single-row write",
    "handover review": "needs a completed cold handover of its own",
    "supervision end": "writes to an open session; the sample's are ended",
    "supervision note": "writes to an open session; the sample's are ended",
    "supervision pin": "writes to an open session; the sample's are ended",
    "supervision flag": "writes to an open session; the sample's are ended",
    "supervision review": "writes to an open session; the sample's are ended",
}


def test_every_command_is_benched_or_said_why_not(sample):
    """A new command (docs/ARCHITECTURE.md, "A new command") is timed by the
    benchmark and, if it reads, held to the lean read path above."""
    import click

    from tui.cli import main

    def leaves(group, ctx, prefix=()):
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                yield from leaves(command, ctx, (*prefix, name))
            else:
                yield (*prefix, name)

    _db, commands = sample
    benched = [" ".join(c.args) for c in commands]
    with click.Context(main) as ctx:
        missing = [" ".join(path) for path in leaves(main, ctx)
                   if " ".join(path) not in NOT_BENCHED
                   and not any(f" {' '.join(path)} " in f" {args} " for args in benched)]
    assert not missing, f"not in bench/bench_commands.py's commands(): {missing}"


HEAVY = ("sqlmodel", "pydantic", "alembic", "sqlalchemy.orm")
WRITES = _labels("write")


def _heavy(modules: set[str]) -> list[str]:
    return sorted({name for name in modules if any(name == h or name.startswith(h + ".") for h in HEAVY)})


@pytest.mark.parametrize("label", WRITES)
def test_a_write_command_imports_no_orm(label, sample, tmp_path):
    """A write of the benchmark runs on SQLAlchemy Core (storage/repo,
    storage.audit) and imports neither SQLModel nor the ORM nor pydantic."""
    db, commands = sample
    command = next(c for c in commands if c.label == label)
    write = tmp_path / "write.db"
    shutil.copyfile(db, write)
    write.chmod(0o600)
    status, modules = imported(write, command.args, tmp_path / "modules.json", full=True)
    assert status == command.status, label
    assert not _heavy(modules), f"{label} imports {_heavy(modules)[:5]}"

