"""§11's case columns in CSV (docs/csv.md): read, stored, exported back the
same; a bad value is refused naming the file, row and column, and nothing
is written (exit status, no traceback: tests/test_cli.py's import checks)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import Session

from storage import models as m
from storage.csvio import ImportFailed, export_dir, import_csv
from tests.storage.csv_helpers import dump, write

PRACS = "practitioner_id,name,team_id,role,grade\nP1,Kim Madeup,T1,practitioner,PO\n"
HEAD = "case_ref,display_name,practitioner_id,allocated_on,sentence,sentence_end,release_on,rosh,mappa_level,restricted\n"


def test_the_columns_are_stored_and_exported_back(engine, tmp_path):
    files = [write(tmp_path, "p.csv", PRACS),
             write(tmp_path, "c.csv", HEAD + "C1,Pat Madeup,P1,2026-06-01,custody,2028-01-31,15/01/2027,very_high,3,yes\n"
                                           "C2,Sam Madeup,P1,2026-06-01,,,,,,\n")]
    import_csv(engine, files, actor="tester")
    with Session(engine) as s:
        c1 = s.execute(select(m.Case).where(m.Case.case_ref == "C1")).scalar_one()
        c2 = s.execute(select(m.Case).where(m.Case.case_ref == "C2")).scalar_one()
    assert (c1.sentence, c1.sentence_end, c1.release_on, c1.rosh, c1.mappa_level, c1.restricted) == (
        "custody", date(2028, 1, 31), date(2027, 1, 15), "very_high", 3, True)
    assert (c2.sentence, c2.rosh, c2.mappa_level, c2.restricted) == (None, None, None, False)
    export_dir(engine, tmp_path / "out", actor="tester")
    lines = (tmp_path / "out" / "cases.csv").read_text().splitlines()
    header = lines[0].split(",")
    row = dict(zip(header, next(line for line in lines if line.startswith("C1,")).split(",")))
    assert {k: row[k] for k in ("sentence", "sentence_end", "release_on", "rosh", "mappa_level", "restricted")} == {
        "sentence": "custody", "sentence_end": "2028-01-31", "release_on": "2027-01-15", "rosh": "very_high",
        "mappa_level": "3", "restricted": "true"}
    before = dump(engine)
    import_csv(engine, [tmp_path / "out" / "cases.csv"], actor="tester")  # the export re-imports unchanged
    assert dump(engine)["case"] == before["case"]


@pytest.mark.parametrize(("cells", "error"), [
    ("custody,9999-01-01,,,,", "c.csv:2: sentence_end: 9999-01-01 is after"),
    ("custody,,2027-01-15,extreme,,", "c.csv:2: rosh: 'extreme' is not one of low, medium, high, very_high"),
    ("custody,,,,4,", "c.csv:2: mappa_level: 4 is out of range (at least 1 and at most 3)"),
    ("custody,,,,2.5,", "c.csv:2: mappa_level: 2.5 is not a whole number"),
    ("prison,,,,,", "c.csv:2: sentence: 'prison' is not one of community_order"),
    ("community_order,,2027-01-15,,,", "c.csv:2: release_on: only for sentence custody, licence, "
                                       "post_sentence_supervision"),
    # a release after the sentence has ended (planner.validate.sentence_dates)
    ("licence,2027-01-10,2027-02-01,,,", "c.csv:2: release_on: 2027-02-01 is after the sentence ends (2027-01-10)"),
    ("custody,,,,,maybe", "c.csv:2: restricted: 'maybe' is not one of true, false"),
])
def test_a_bad_value_names_the_row_and_column_and_nothing_is_written(engine, tmp_path, cells, error):
    files = [write(tmp_path, "p.csv", PRACS), write(tmp_path, "c.csv", HEAD + f"C1,Pat Madeup,P1,2026-06-01,{cells}\n")]
    before = dump(engine)
    with pytest.raises(ImportFailed) as info:
        import_csv(engine, files, actor="tester")
    errors = [e.replace(f"{tmp_path}/", "") for e in info.value.errors]
    assert len(errors) == 1 and errors[0].startswith(error), errors
    assert dump(engine) == before
