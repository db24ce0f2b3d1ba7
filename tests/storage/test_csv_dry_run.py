"""`caseload import --dry-run` reads on the driver's own connection
(`storage.reader.Database.reader`, no SQLAlchemy) and runs the import's own
checks there (storage/csvio/importer.py): it must report exactly what the
import does, refusals and counts alike, and write nothing. Every test runs
on SQLite and, when CASELOAD_TEST_PG_URL is set, on PostgreSQL."""

from __future__ import annotations

import pytest

from storage.csvio import ImportFailed, import_csv
from storage.reader import Database

try:
    from .csv_helpers import dump, write
    from .test_csv_import import BROKEN, examples
except ImportError:  # tests/storage is not a package
    from csv_helpers import dump, write
    from test_csv_import import BROKEN, examples


def dry(db_url: str, paths) -> list[str]:
    """The dry run's report lines, as `caseload import --dry-run` makes them."""
    with Database(db_url).reader() as reader:
        return import_csv(reader, paths, dry_run=True, actor="tester").describe()


def refusal(run) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        run()
    return info.value.errors


@pytest.mark.parametrize("name", list(BROKEN))
def test_the_dry_run_refuses_exactly_what_the_import_refuses(engine, db_url, tmp_path, name):
    content, expected = BROKEN[name]
    import_csv(engine, examples(tmp_path), actor="tester")
    before = dump(engine)
    bad = write(tmp_path, "bad.csv", content)
    dry_errors = refusal(lambda: dry(db_url, [bad]))
    assert dump(engine) == before
    assert dry_errors == refusal(lambda: import_csv(engine, [bad], actor="tester"))
    assert [line.replace(f"{tmp_path}/", "") for line in dry_errors] == [expected]


def test_the_dry_run_counts_what_the_import_then_does(engine, db_url, tmp_path):
    """New rows into an empty database, then the same files unchanged (every
    stored type read back and compared: dates, times, booleans, numbers),
    then changed rows of several kinds."""
    paths = examples(tmp_path)
    for _ in range(2):
        before = dump(engine)
        predicted = dry(db_url, paths)
        assert dump(engine) == before
        assert predicted == import_csv(engine, paths, actor="tester").describe()
    changed = [
        write(tmp_path, "contacts.csv", (tmp_path / "contacts.csv").read_text().replace(
            "Clash with a college class,person,", "Clash with a college class,practitioner,")),
        write(tmp_path, "absences.csv", (tmp_path / "absences.csv").read_text().replace(
            "P5,2026-11-16,,sickness", "P5,2026-11-16,2026-12-18,sickness")),
        write(tmp_path, "more.csv", "case_ref,contact_date,practitioner_id,kind,outcome\n"
                                    "C1001,2026-11-20,P1,office,attended\n"),
    ]
    predicted = dry(db_url, changed)
    assert "0 new, 0 changed" not in " ".join(predicted)  # the files do change something
    assert predicted == import_csv(engine, changed, actor="tester").describe()


def test_a_reader_does_not_write(engine, db_url, tmp_path):
    with Database(db_url).reader() as reader, pytest.raises(ValueError, match="only reads"):
        import_csv(reader, examples(tmp_path), actor="tester")
