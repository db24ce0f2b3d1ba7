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


def test_the_switch_chooses_the_path(monkeypatch):
    monkeypatch.setattr(fast_table, "ENABLED", False)
    assert type(case_table(id="t")) is CaseTable
    monkeypatch.setattr(fast_table, "ENABLED", True)
    assert type(case_table(id="t")) is FastCaseTable
