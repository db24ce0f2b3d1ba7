"""The README's command list and the command line's registry name the same
commands (tui/cli/registry.py): a command cannot go missing from either
without this failing. And asking for help, or getting an argument wrong,
loads neither SQLAlchemy nor Textual (README "Speed")."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from tui.cli import main
from tui.cli.registry import COMMANDS, load_command

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"[a-z][a-z-]*")


def readme_commands(text: str) -> set[str]:
    """Command paths ("handover plan") of the first code block under
    "## Using it": each `caseload` on a line, then its lower-case words up
    to the first option or argument (a description follows two spaces)."""
    section = text.split("## Using it", 1)[1]
    block = section.split("```", 2)[1]
    found = set()
    for line in block.splitlines():
        for tail in re.split(r"\bcaseload\b", line)[1:]:
            words = []
            for token in re.split(r"\s{2,}", tail.strip())[0].split():
                if not WORD.fullmatch(token):
                    break
                words.append(token)
            if words:
                found.add(" ".join(words))
    return found


def registered_commands(group: click.Group, ctx: click.Context, prefix: str = "") -> set[str]:
    """Leaf command paths of `group`, subgroups walked."""
    found = set()
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{prefix}{name} is listed but cannot be loaded"
        if isinstance(command, click.Group):
            found |= registered_commands(command, ctx, f"{prefix}{name} ")
        else:
            found.add(f"{prefix}{name}")
    return found


def test_readme_lists_every_registered_command_and_nothing_else():
    listed = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    with click.Context(main) as ctx:
        registered = registered_commands(main, ctx)
    assert listed - registered == set(), "in the README but not registered"
    assert registered - listed == set(), "registered but not in the README's command list"


def test_the_parser_reads_several_commands_on_a_line():
    assert readme_commands("## Using it\n```\ncaseload [--db DB]\ncaseload backup DEST   caseload copy --to URL\n"
                           "caseload supervision action add TEXT\ncaseload check     integrity check\n```\n") == {
        "backup", "copy", "supervision action add", "check"}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_registry_entry_names_the_module_that_defines_it(name):
    assert load_command(name).name == name


@pytest.mark.parametrize("args", [["--help"], ["week", "--no-such-option"], ["handover", "--help"],
                                  ["warnings", "--on", "someday"]])
def test_help_and_argument_errors_load_no_database_library_or_textual(args):
    code = ("import sys\nfrom tui.startup import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'textual', 'planner.checklist') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


@pytest.mark.parametrize("args", [
    ["warnings", "--team", "NPS-N1", "--on", "2026-11-27"],
    ["warnings", "--team", "NPS-N1", "--on", "2026-11-27", "--format", "csv"],
    ["week", "--practitioner", "N1-02", "--week-of", "2026-11-27", "--format", "ics"],
    ["audit", "--format", "json"],
    ["--as", "N1-01", "rebalance", "--team", "NPS-N1", "--on", "2026-11-27"],
    ["supervision", "prompts", "NG1007"],
    ["supervision", "action", "list", "N1-02"],
    ["checkin", "NG1007"],
])
def test_reads_through_storage_reader_load_no_sqlalchemy(tmp_path, args):
    """The reads README "Every command" names as lean stay lean: they run
    to the end (status 0) without importing SQLAlchemy or SQLModel."""
    db = tmp_path / "sample.db"
    shutil.copyfile(ROOT / "sample.db", db)
    db.chmod(0o600)
    code = ("import sys\nfrom tui.startup import main\n"
            f"try:\n    main({['--db', str(db), *args]!r})\nexcept SystemExit as e:\n    code = e.code\n"
            "print('EXIT', code, sorted(m for m in ('sqlalchemy', 'sqlmodel', 'textual') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "EXIT 0 []", done.stdout[-2000:] + done.stderr
