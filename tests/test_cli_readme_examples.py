"""The README's command examples run as written (issue 18, item 9).

Every line starting `caseload ` in the README's code blocks (the command
list under "Using it" aside: tests/test_cli_registry.py checks that one) is
parsed by the real command line, down to its last subcommand, and must be
accepted; the ones that need neither a team server nor a terminal for the app
also run on a copy of the sample and must not end in a usage error. And
`--as` is taken after the command's name as well as before it, by every
command.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.cli.registry import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_examples(text: str) -> list[str]:
    """The example lines of the README's code blocks, except the command
    list (the first block under "## Using it")."""
    listing = text.split("## Using it", 1)[1].split("```", 2)[1]
    found = []
    for block in text.split("```")[1::2]:
        if block == listing:
            continue
        found += [line.strip() for line in block.splitlines() if line.strip().startswith("caseload ")]
    return found


def example_args(line: str) -> list[str]:
    """The arguments of an example line: its comment dropped, an optional
    `[--flag]` given, a `...` standing for more files left out."""
    line = line.split("  #", 1)[0]
    return [re.sub(r"^\[(.*)\]$", r"\1", word) for word in shlex.split(line)[1:] if word != "..."]


def parse_chain(args: list[str]) -> list[str]:
    """Parse `args` as `caseload` would, down to the last subcommand, without
    running anything; the command path. A usage error is raised as click raises it."""
    path: list[str] = []
    command: click.Command = main
    parent = None
    while True:
        ctx = command.make_context("caseload" if parent is None else path[-1], list(args), parent=parent,
                                   resilient_parsing=False)
        if not isinstance(command, click.Group):
            return path
        rest = [*ctx._protected_args, *ctx.args]
        if not rest:
            return path
        name, command, args = command.resolve_command(ctx, rest)
        path.append(name)
        parent = ctx


EXAMPLES = readme_examples(README)


def test_the_examples_are_found():
    assert "caseload --as N1-01 demo --on 2026-11-27" in EXAMPLES
    assert "caseload audit --user N1-02 --since 2026-11-01 --until 2026-11-30 --format json" in EXAMPLES
    assert example_args("caseload --db r.db restore /b/x.db [--force]") == ["--db", "r.db", "restore", "/b/x.db",
                                                                            "--force"]
    assert example_args("caseload import a.csv b.csv ...      # or move") == ["import", "a.csv", "b.csv"]


@pytest.mark.parametrize("line", EXAMPLES)
def test_every_readme_example_parses(line):
    assert parse_chain(example_args(line)) is not None


def test_the_parser_catches_what_once_failed():
    """What the README said before `--as` was taken after the command too:
    the check would have caught it (shown with an option nothing takes)."""
    with pytest.raises(click.UsageError, match="No such option"):
        parse_chain(["supervision", "start", "N1-02", "--no-such"])


def _runnable(line: str) -> bool:
    """Not the app (it needs a terminal) and no team server (there is none here)."""
    if "postgresql" in line:
        return False
    try:
        path = parse_chain(example_args(line))
    except click.UsageError:
        return True  # run it: the test then shows the usage error
    return bool(path) and path[0] != "demo"


@pytest.mark.parametrize("line", [line for line in EXAMPLES if _runnable(line)])
def test_runnable_readme_examples_are_no_usage_error(line, tmp_path, monkeypatch):
    shutil.copyfile(ROOT / "sample.db", tmp_path / "caseload.db")
    (tmp_path / "caseload.db").chmod(0o600)
    monkeypatch.chdir(tmp_path)  # team.db, restored.db: files of the test's folder
    monkeypatch.setenv("CASELOAD_DB", str(tmp_path / "caseload.db"))
    # the README's absolute paths (/backups/) moved into the test's folder
    args = [re.sub(r"^/backups/", f"{tmp_path}/backups/", arg) for arg in example_args(line)]
    (tmp_path / "backups").mkdir()
    result = CliRunner().invoke(main, args)
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert not (result.exit_code == 2 and ("No such option" in output or "Usage:" in output)), output
    assert "Traceback" not in output


def leaf_commands(group: click.Group, ctx: click.Context, prefix: tuple[str, ...] = ()):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from leaf_commands(command, ctx, (*prefix, name))
        else:
            yield (*prefix, name), command


with click.Context(main) as _ctx:
    LEAVES = dict(leaf_commands(main, _ctx))


@pytest.mark.parametrize("path", sorted(LEAVES), ids=" ".join)
def test_every_command_takes_as_after_its_name(path):
    """`caseload X --as ID` parses (and `--help` lists the option)."""
    command = LEAVES[path]
    assert any("--as" in p.opts for p in command.params), path
    ctx = main.make_context("caseload", [*path, "--as", "N1-01", "--help"], resilient_parsing=True)
    assert ctx is not None


@pytest.fixture
def sample(tmp_path) -> str:
    path = tmp_path / "sample.db"
    shutil.copyfile(ROOT / "sample.db", path)
    path.chmod(0o600)
    return str(path)


def test_as_after_the_command_is_as_before_it(sample):
    runner = CliRunner()
    before = runner.invoke(main, ["--db", sample, "--as", "N1-02", "warnings", "--on", "2026-11-27"])
    after = runner.invoke(main, ["--db", sample, "warnings", "--on", "2026-11-27", "--as", "N1-02"])
    admin = runner.invoke(main, ["--db", sample, "warnings", "--on", "2026-11-27"])
    assert before.exit_code == after.exit_code == 0, after.output
    assert after.output == before.output != admin.output


def test_the_readme_supervision_example_runs(sample):
    """README "Supervision: a walk-through": `supervision start N1-02 --as N1-01`."""
    result = CliRunner().invoke(main, ["--db", sample, "supervision", "start", "N1-02", "--as", "N1-01",
                                       "--on", "2026-11-27"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().isdigit()
    assert "caseload supervision start N1-02 --as N1-01" in README


def test_as_between_the_group_and_its_subcommand(sample):
    """`caseload supervision --as N1-01 start N1-02` is `caseload --as N1-01
    supervision start N1-02` (README "Using it"), and a second, different
    id after the subcommand is refused as anywhere else."""
    assert "caseload supervision --as N1-01 start N1-02" in EXAMPLES
    runner = CliRunner()
    between = runner.invoke(main, ["--db", sample, "supervision", "--as", "N1-01", "start", "N1-02",
                                   "--on", "2026-11-27"])
    assert between.exit_code == 0, between.output
    assert between.output.strip().isdigit()
    nested = runner.invoke(main, ["--db", sample, "supervision", "action", "--as", "N1-01", "list", "N1-02"])
    before = runner.invoke(main, ["--db", sample, "--as", "N1-01", "supervision", "action", "list", "N1-02"])
    assert nested.exit_code == 0, nested.output
    assert nested.output == before.output
    clash = runner.invoke(main, ["--db", sample, "supervision", "--as", "N1-01", "list", "N1-02", "--as", "N1-02"])
    assert clash.exit_code == 2
    assert "N1-02 differs from --as N1-01" in clash.output


@pytest.mark.parametrize("path", sorted({path[:i] for path in LEAVES for i in range(1, len(path))}),
                         ids=" ".join)
def test_every_group_takes_as_before_its_subcommand(path):
    command = main
    with click.Context(main) as ctx:
        for name in path:
            command = command.get_command(ctx, name)
    assert isinstance(command, click.Group), path
    assert any("--as" in p.opts for p in command.params), path


def test_as_after_a_nested_command_and_an_unknown_one(sample):
    runner = CliRunner()
    listed = runner.invoke(main, ["--db", sample, "supervision", "action", "list", "N1-02", "--as", "N1-01"])
    assert listed.exit_code == 0, listed.output
    unknown = runner.invoke(main, ["--db", sample, "warnings", "--as", "N9-99"])
    assert unknown.exit_code == 2
    assert unknown.output.strip() == "caseload: --as N9-99: no such practitioner"


def test_two_different_as_are_refused(sample):
    result = CliRunner().invoke(main, ["--db", sample, "--as", "N1-02", "warnings", "--as", "N1-01"])
    assert result.exit_code == 2
    assert "N1-01 differs from --as N1-02" in result.output


def test_the_same_as_twice_is_fine(sample):
    result = CliRunner().invoke(main, ["--db", sample, "--as", "N1-02", "warnings", "--as", "N1-02",
                                       "--on", "2026-11-27"])
    assert result.exit_code == 0, result.output


def test_every_registered_command_is_walked():
    assert {path[0] for path in LEAVES} == set(COMMANDS)
