"""`caseload team link` (SPEC §11, storage/transition_team.py): the
administrator names a youth justice team's transition team; a practitioner
is refused; bad teams are refused naming them, nothing written."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import text

from tui.cli import main


def run(path, *args):
    return CliRunner().invoke(main, ["--db", str(path), *args])


def linked(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(text("SELECT t.team_id, l.team_id FROM team t LEFT JOIN team l"
                                 " ON l.id = t.transition_team_pk ORDER BY t.team_id")).all()


def test_link_show_and_unlink(tmp_path, seed_cases):
    from storage.db import init_db
    from storage.engine import make_engine

    path = tmp_path / "caseload.db"
    engine = make_engine(str(path))
    init_db(engine)
    seed_cases(engine)
    try:
        got = run(path, "team", "link", "T1", "--to", "T2")
        assert got.exit_code == 0 and "T1's transition team: T2" in got.output, got.output
        assert linked(engine) == [("T1", "T2"), ("T2", None)]
        assert "T1's transition team: T2" in run(path, "team", "link", "T1").output
        for args, says in ((("--as", "P1", "team", "link", "T1", "--none"), "only the administrator"),
                           (("team", "link", "T1", "--to", "T9"), "unknown team T9"),
                           (("team", "link", "T9", "--to", "T1"), "unknown team T9"),
                           (("team", "link", "T9"), "unknown team T9"),
                           (("team", "link", "T1", "--to", "T1"), "cannot be its own transition team"),
                           (("team", "link", "T1", "--to", "T2", "--none"), "not both")):
            refused = run(path, *args)
            assert refused.exit_code == 2 and says in refused.output and "Traceback" not in refused.output, args
        assert linked(engine) == [("T1", "T2"), ("T2", None)]
        assert run(path, "team", "link", "T1", "--none").exit_code == 0
        assert linked(engine) == [("T1", None), ("T2", None)]
        with engine.connect() as conn:
            events = conn.execute(text("SELECT action, entity, entity_key FROM audit_event"
                                       " WHERE entity = 'team' ORDER BY id")).all()
        assert events == [("link", "team", "T1"), ("link", "team", "T1")]
    finally:
        engine.dispose()


def test_link_runs_on_core_and_shows_on_the_reader(tmp_path):
    """The write runs on SQLAlchemy Core as every write command does (Ctx.write,
    docs/ARCHITECTURE.md "The write path"): no SQLModel, ORM or pydantic; the
    show reads on the Reader with no SQLAlchemy at all."""
    import shutil
    import sqlite3

    from tests.test_cli_import_graph import ORM, ROOT, imported

    db = tmp_path / "sample.db"
    shutil.copyfile(ROOT / "sample.db", db)
    db.chmod(0o600)
    status, modules = imported(db, ("team", "link", "NPS-N1", "--to", "YJS-E1"), tmp_path / "w.json", full=True)
    assert status == 0
    assert "sqlalchemy" in modules and not {"sqlmodel", "sqlalchemy.orm", "pydantic"} & modules
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT l.team_id FROM team t JOIN team l ON l.id = t.transition_team_pk"
                            " WHERE t.team_id = 'NPS-N1'").fetchone() == ("YJS-E1",)
    status, modules = imported(db, ("team", "link", "NPS-N1"), tmp_path / "r.json")
    assert status == 0 and not modules & ORM
