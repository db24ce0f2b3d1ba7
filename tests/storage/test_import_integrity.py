"""CSV import of careless or hostile files: nothing lost, nothing wrongly
accepted (README "Where data lives and how it is protected").

An unclosed quote is refused where it opens instead of swallowing the rest
of the file; a cell over the CSV field limit names its column; values the
app's forms refuse (planner/validate.py) are row errors here too. Every test
runs on SQLite and, when CASELOAD_TEST_PG_URL is set, on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from storage import models as m
from storage.csvio import ImportFailed, import_csv

try:
    from .csv_helpers import DATA, write
except ImportError:  # tests/storage is not a package
    from csv_helpers import DATA, write

CONTACTS_HEADER = "case_ref,contact_date,practitioner_id,kind,outcome,notes"


def base(tmp_path):
    """The example practitioners and cases, to hang rows on."""
    return [write(tmp_path, n, (DATA / n).read_bytes()) for n in ("practitioners.csv", "cases.csv")]


def refused(engine, paths, **kwargs) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        import_csv(engine, paths, actor="tester", **kwargs)
    return info.value.errors


def count(engine, model) -> int:
    with Session(engine) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def contact_rows(n: int, broken_at: int, broken: str) -> str:
    rows = [CONTACTS_HEADER]
    for i in range(1, n + 1):
        day = f"2026-{(i % 10) + 1:02d}-{(i % 27) + 1:02d}"
        kind = ("office", "phone", "video", "home_visit")[i % 4]
        rows.append(broken if i == broken_at else f"C1001,{day},P1,{kind},attended,note {i}")
    return "\n".join(rows) + "\n"


# --------------------------------------------------------------------------- quotes and cell sizes


def test_an_unclosed_quote_is_refused_where_it_opens_and_nothing_is_written(engine, tmp_path):
    # 200 rows; row 12 (line 12 of the file) opens a quote it never closes
    text = contact_rows(200, 11, "C1001,2026-03-03,P1,office,attended,\"Said \"\"I'll be late")
    paths = base(tmp_path) + [write(tmp_path, "contacts.csv", text)]
    errors = refused(engine, paths)
    assert errors == [f"{tmp_path}/contacts.csv:12: notes: unterminated quoted field "
                      "(its opening quote is never closed)"]
    assert count(engine, m.Contact) == 0 and count(engine, m.Case) == 0


def test_an_unclosed_quote_before_later_quoted_cells_is_still_named_as_such(engine, tmp_path):
    rows = [CONTACTS_HEADER, "C1001,2026-01-05,P1,office,attended,\"fine, quoted\"",
            "C1001,2026-01-06,P1,office,attended,\"never closed",
            "C1001,2026-01-07,P1,office,attended,plain",
            "C1001,2026-01-08,P1,office,attended,\"quoted again\""]
    paths = base(tmp_path) + [write(tmp_path, "contacts.csv", "\n".join(rows) + "\n")]
    [error] = refused(engine, paths)
    assert error.startswith(f"{tmp_path}/contacts.csv:3: notes: unterminated quoted field")
    assert count(engine, m.Contact) == 0


def test_text_after_a_closing_quote_is_refused(engine, tmp_path):
    rows = [CONTACTS_HEADER, 'C1001,2026-01-05,P1,office,attended,"half"quoted']
    paths = base(tmp_path) + [write(tmp_path, "contacts.csv", "\n".join(rows) + "\n")]
    [error] = refused(engine, paths)
    assert error.startswith(f"{tmp_path}/contacts.csv:2: notes: text after a closing quote")


def test_a_cell_over_the_csv_field_limit_names_its_column(engine, tmp_path):
    import csv

    huge = "x" * (csv.field_size_limit() + 1)
    rows = [CONTACTS_HEADER, "C1001,2026-01-05,P1,office,attended,short", f"C1001,2026-01-06,P1,office,attended,{huge}"]
    paths = base(tmp_path) + [write(tmp_path, "contacts.csv", "\n".join(rows) + "\n")]
    errors = refused(engine, paths)
    assert errors == [f"{tmp_path}/contacts.csv:3: notes: longer than {csv.field_size_limit()} characters "
                      "(the most a CSV cell may hold)"]
    assert count(engine, m.Contact) == 0
