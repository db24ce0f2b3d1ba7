"""The caseload table's two paths (tui/widgets/fast_table.py's switch): the
fast one and the plain DataTable show the same rows, cell for cell and line
for line as drawn."""

from __future__ import annotations

from datetime import date

from textual.app import App

from tui.data import CaseRow
from tui.widgets import fast_table
from tui.widgets.case_table import CaseTable, FastCaseTable, case_table

AS_OF = date(2026, 11, 27)


def rows(n: int = 40) -> list[CaseRow]:
    return [CaseRow(case_ref=f"X{i:05d}", display_name=f"Person {i} Name", initials="PN",
                    practitioner_id="P01", contact_level="high" if i % 2 else "standard",
                    tier="B" if i % 3 else None, status="open", relationship=f"{i} weeks",
                    relationship_days=7 * i, last_seen=date(2026, 11, 1 + i % 20),
                    next_appointment=None if i % 4 else date(2026, 12, 1), warnings=(), score=100 - i,
                    handover="" if i % 5 else "→P02 01 Dec 1/3")
            for i in range(n)]


class Both(App):
    def compose(self):
        yield CaseTable(id="plain")
        yield FastCaseTable(id="fast")


def lines(table: CaseTable) -> list[str]:
    return [strip.text for strip in table.render_lines(table.region.reset_offset)]


async def test_both_paths_show_the_same_rows():
    app = Both()
    async with app.run_test(size=(100, 40)) as pilot:
        plain, fast = app.query_one("#plain", CaseTable), app.query_one("#fast", FastCaseTable)
        assert type(plain) is CaseTable
        data = rows()
        for privacy in (False, True):
            for table in (plain, fast):
                table.show(data, as_of=AS_OF, privacy=privacy)
            await pilot.pause()
            shown = [[str(cell) for cell in plain.get_row_at(i)] for i in range(plain.row_count)]
            assert plain.row_count == fast.row_count == len(data)
            assert shown == [[str(cell) for cell in fast.get_row_at(i)] for i in range(fast.row_count)]
            assert [c.content_width for c in plain.ordered_columns] == [c.content_width for c in fast.ordered_columns]
            assert lines(plain) == lines(fast) and any("X00001" in line for line in lines(fast))
        # a filter's fewer rows, the cursor kept on its case
        for table in (plain, fast):
            table.move_cursor(row=3)
            table.show(data[2:20], as_of=AS_OF, privacy=False)
        await pilot.pause()
        assert plain.selected_ref == fast.selected_ref == "X00003"
        assert lines(plain) == lines(fast)


async def test_a_new_sort_measures_the_rows_from_their_kept_widths(monkeypatch):
    """A sort's mark in another title makes the columns again, which start at
    their titles' widths and take in every row's cells: the fast path from
    each row's widths kept with its cells, never reading a cell's text again
    (on a team lead's 574 rows, measuring them was most of `s`), to the same
    widths and lines as the plain table, after a filter's fewer rows too."""
    app = Both()
    async with app.run_test(size=(100, 40)) as pilot:
        plain, fast = app.query_one("#plain", CaseTable), app.query_one("#fast", FastCaseTable)
        data = rows()
        for table in (plain, fast):
            table.show(data, as_of=AS_OF, privacy=False, sorted_by=("warnings", "↓"))
        await pilot.pause()
        measure = fast_table.cell_len
        for shown, sort in ((data[::-1], ("ref", "↑")), (data[5:9], ("name", "↑")), (data, ("last_seen", "↑"))):
            read: list[str] = []
            monkeypatch.setattr(fast_table, "cell_len", lambda text: read.append(text) or measure(text))
            for table in (plain, fast):
                table.show(shown, as_of=AS_OF, privacy=False, sorted_by=sort)
            monkeypatch.setattr(fast_table, "cell_len", measure)
            assert not [text for text in read if "X0" in text or "Person" in text], sort  # no cell read again
            await pilot.pause()
            assert [str(c.label) for c in fast.ordered_columns] == [str(c.label) for c in plain.ordered_columns]
            assert [c.content_width for c in plain.ordered_columns] == [c.content_width for c in fast.ordered_columns]
            assert [c.get_render_width(plain) for c in plain.ordered_columns] == [
                c.get_render_width(fast) for c in fast.ordered_columns]
            assert lines(plain) == lines(fast)


def test_the_switch_chooses_the_path(monkeypatch):
    monkeypatch.setattr(fast_table, "ENABLED", False)
    assert type(case_table(id="t")) is CaseTable
    monkeypatch.setattr(fast_table, "ENABLED", True)
    assert type(case_table(id="t")) is FastCaseTable
