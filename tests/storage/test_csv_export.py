"""CSV/JSON export (docs/csv.md; README, Where data lives): the import formats exactly, so an export
imported into an empty database exports the same bytes again; formula cells
escaped; private files; an audit event with counts only."""

from __future__ import annotations

import csv
import json
import stat

from sqlalchemy import select, update
from sqlmodel import Session

from storage import models as m
from storage.csvio import FILENAMES, KINDS, ORDER, export_dir, import_csv

try:
    from .csv_helpers import EXAMPLES, dump, file_bytes, second_engine, write
except ImportError:  # tests/storage is not a package
    from csv_helpers import EXAMPLES, dump, file_bytes, second_engine, write


def test_round_trip_gives_identical_files(engine, tmp_path, db_url):
    import_csv(engine, EXAMPLES, actor="tester")
    first = export_dir(engine, tmp_path / "first", actor="tester")
    assert [p.name for p in first] == [FILENAMES[k] for k in ORDER]
    with second_engine(db_url, tmp_path) as fresh:
        report = import_csv(fresh, first, actor="tester")
        assert report.files[1].inserted == 6  # cases
        export_dir(fresh, tmp_path / "second", actor="tester")
    assert file_bytes(tmp_path / "first") == file_bytes(tmp_path / "second")
    # and re-importing its own export changes nothing
    before = dump(engine)
    again = import_csv(engine, first, actor="tester")
    assert again.inserted == again.updated == 0
    assert dump(engine) == before


def test_export_holds_every_example_row_in_the_import_columns(engine, tmp_path):
    import_csv(engine, EXAMPLES, actor="tester")
    export_dir(engine, tmp_path / "out", actor="tester")
    for kind in ORDER:
        with open(tmp_path / "out" / FILENAMES[kind], newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert tuple(rows[0]) == KINDS[kind].columns
        with open([p for p in EXAMPLES if p.stem == kind][0], newline="", encoding="utf-8") as fh:
            example_rows = list(csv.reader(fh))
        # allocations gain the open allocations that cases.csv opened
        assert len(rows) >= len(example_rows), kind
    contacts = (tmp_path / "out" / "contacts.csv").read_bytes().decode("utf-8")
    assert '"Talked about work placement.\nAgreed to meet next week.",,\r\n' in contacts
    assert "C1001,2026-02-23,P2,three_way,attended,Three-way meeting with the incoming officer,,P1\r\n" in contacts
    absences = (tmp_path / "out" / "absences.csv").read_text(encoding="utf-8")
    assert "P5,2026-11-16,,sickness,\n" in absences.replace("\r\n", "\n")  # open-ended: blank end date


def test_formula_cells_are_escaped_and_round_trip(engine, tmp_path, db_url):
    import_csv(engine, EXAMPLES, actor="tester")
    with Session(engine) as s:
        s.execute(update(m.Case).where(m.Case.case_ref == "C1002")
                  .values(display_name='=HYPERLINK("http://example.invalid","x")'))
        s.execute(update(m.Contact).where(m.Contact.outcome == "cancelled").values(notes="-called off by college"))
        s.commit()
    export_dir(engine, tmp_path / "first", actor="tester")
    with open(tmp_path / "first" / "cases.csv", newline="", encoding="utf-8") as fh:
        names = {row["case_ref"]: row["display_name"] for row in csv.DictReader(fh)}
    assert names["C1002"] == "'=HYPERLINK(\"http://example.invalid\",\"x\")"
    assert "'-called off by college" in (tmp_path / "first" / "contacts.csv").read_text(encoding="utf-8")
    with second_engine(db_url, tmp_path) as fresh:
        import_csv(fresh, sorted((tmp_path / "first").iterdir()), actor="tester")
        with Session(fresh) as s:
            name = s.execute(select(m.Case.display_name).where(m.Case.case_ref == "C1002")).scalar_one()
        assert name == '=HYPERLINK("http://example.invalid","x")'
        export_dir(fresh, tmp_path / "second", actor="tester")
    assert file_bytes(tmp_path / "first") == file_bytes(tmp_path / "second")


def test_only_open_handovers_are_exported(engine, tmp_path):
    import_csv(engine, EXAMPLES, actor="tester")
    export_dir(engine, tmp_path / "open", actor="tester")
    assert (tmp_path / "open" / "handovers.csv").read_bytes().count(b"\r\n") == 2
    with Session(engine) as s:
        s.execute(update(m.Handover).values(status="cancelled"))
        s.commit()
    export_dir(engine, tmp_path / "none", actor="tester")
    assert (tmp_path / "none" / "handovers.csv").read_bytes() == b"case_ref,to_practitioner_id,planned_on,reason\r\n"


def test_files_are_private(engine, tmp_path):
    import_csv(engine, EXAMPLES, actor="tester")
    (tmp_path / "out").mkdir()
    loose = tmp_path / "out" / "cases.csv"
    loose.write_text("old")
    loose.chmod(0o644)  # an existing file is replaced (with force) by a private one, not trusted
    for fmt in ("csv", "json"):
        for path in export_dir(engine, tmp_path / "out", fmt, actor="tester", force=True):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) != 0  # existing folder left as it was
    export_dir(engine, tmp_path / "new" / "folder", actor="tester")
    assert stat.S_IMODE((tmp_path / "new" / "folder").stat().st_mode) == 0o700


def test_json_export_has_the_same_records(engine, tmp_path):
    import_csv(engine, EXAMPLES, actor="tester")
    export_dir(engine, tmp_path / "csv", actor="tester")
    [path] = export_dir(engine, tmp_path / "json", "json", actor="tester")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "caseload-export"
    for kind in ORDER:
        with open(tmp_path / "csv" / FILENAMES[kind], newline="", encoding="utf-8") as fh:
            rows = [{k: (v or None) for k, v in r.items()} for r in csv.DictReader(fh)]
        assert data[kind] == rows, kind


def test_export_is_audited_with_counts_only(engine, tmp_path):
    import_csv(engine, EXAMPLES, actor="tester")
    export_dir(engine, tmp_path / "out", actor="exporter")
    with Session(engine) as s:
        [event] = s.execute(select(m.AuditEvent).where(m.AuditEvent.actor == "exporter")).scalars().all()
    assert (event.action, event.entity, event.entity_key) == ("export", "export", "csv")
    assert json.loads(event.detail) == {"practitioners": 5, "cases": 6, "allocations": 7, "contacts": 11,
                                        "appointments": 3, "absences": 3, "handovers": 1, "checkins": 3,
                                        "not_with": 1}


def test_empty_database_exports_headers_only(engine, tmp_path):
    paths = export_dir(engine, tmp_path / "out", actor="tester")
    for path in paths:
        assert path.read_bytes().decode("utf-8") == ",".join(KINDS[path.stem].columns) + "\r\n"
    # and those import as nothing at all
    report = import_csv(engine, paths, actor="tester")
    assert report.inserted == report.updated == report.unchanged == 0


def test_uk_dates_and_a_bom_export_as_iso(engine, tmp_path):
    import_csv(engine, [p for p in EXAMPLES if p.stem in ("practitioners", "cases")], actor="tester")
    path = write(tmp_path, "a.csv", b"\xef\xbb\xbfpractitioner_id,start_date,end_date\nP1,24/12/2026,2/1/2027\n")
    import_csv(engine, [path], actor="tester")
    export_dir(engine, tmp_path / "out", actor="tester")
    assert "P1,2026-12-24,2027-01-02,leave," in (tmp_path / "out" / "absences.csv").read_text(encoding="utf-8")
