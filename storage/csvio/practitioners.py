"""Importing practitioners.csv: upsert by practitioner_id; a team not yet
known is created, `team_name` names it (docs/csv.md)."""

from __future__ import annotations

from typing import Any

from storage.csvio.base import BATCH, _Prac, _Team
from storage.csvio.reports import FileReport
from storage.csvio.row import _ok, _Row
from storage.csvio.source import _Source
from storage.csvio.spec import KINDS

__all__ = ["PractitionersImport"]

KIND = KINDS["practitioners"]


class PractitionersImport:
    """The `do_practitioners` step of storage/csvio/importer.py's `_Importer`."""

    def do_practitioners(self, src: _Source, rep: FileReport) -> None:
        self.load_teams_pracs()
        assert self.teams is not None and self.pracs is not None
        present = {c.field for c in KIND.plain if src.has(c.name)}
        new_pracs: list[tuple[_Prac, _Row]] = []
        changed: list[tuple[_Prac, list[str]]] = []
        team_changes: dict[str, set[str]] = {}
        for row in src.rows():
            parsed = row.parse_all(KIND.specs, self.today)
            pid, team_id = parsed["practitioner_id"], parsed["team_id"]
            vals = {c.field: parsed[c.name] for c in KIND.plain}
            if isinstance(pid, str) and not self.first_seen("practitioners", pid, row, "practitioner_id",
                                                            "practitioner_id"):
                continue
            team = self._prac_team(row, team_id, parsed["team_name"], vals["nation"], rep, team_changes)
            if row.bad or not _ok(pid, team_id, *vals.values()):
                if isinstance(pid, str) and pid not in self.pracs:  # known to later files all the same
                    self.pracs[pid] = _Prac(self.placeholder(), pid, team_id if isinstance(team_id, str) else "", None)
                continue
            self._prac_upsert(row, pid, team, vals, present, rep, new_pracs, changed)
        if self.writing:
            self._write_teams(team_changes, rep)
            self._write_practitioners(new_pracs, changed)

    def _prac_team(self, row: _Row, team_id: Any, team_name: Any, nation: Any, rep: FileReport,
                   team_changes: dict[str, set[str]]) -> _Team | None:
        """The row's team: created on first mention; `team_name` names (or
        renames) it, consistently within one call; `nation` sets a new
        team's nation (the first row naming the team wins)."""
        if not isinstance(team_id, str):
            return None
        team = self.teams.get(team_id)
        if team is None:
            team = _Team(self.placeholder(), team_id, team_id, "england-and-wales", new=True)
            self.teams[team_id] = team
            rep.also["teams new"] += 1
        if isinstance(team_name, str):
            earlier = team.defined.get("name")
            if earlier is not None and earlier[0] != team_name:
                row.error("team_name", f"team {team_id} is named differently on row {earlier[1]}")
            else:
                team.defined["name"] = (team_name, row.num)
                if team.name != team_name:
                    team.name = team_name
                    if not team.new:
                        team_changes.setdefault(team_id, set()).add("name")
        if team.new and isinstance(nation, str) and "nation" not in team.defined:
            team.defined["nation"] = (nation, row.num)
            team.nation = nation
        return team

    def _prac_upsert(self, row: _Row, pid: str, team: _Team, vals: dict[str, Any], present: set[str],
                     rep: FileReport, new_pracs: list[tuple[_Prac, _Row]],
                     changed: list[tuple[_Prac, list[str]]]) -> None:
        # `nation` is stored on the practitioner only where it differs from
        # their team's, so that exporting (which writes the effective
        # nation) and importing again changes nothing.
        if vals["nation"] == team.nation:
            vals["nation"] = None
        rec = self.pracs.get(pid)
        if rec is None:
            rec = _Prac(self.placeholder(), pid, team.team_id, dict(vals))
            self.pracs[pid] = rec
            new_pracs.append((rec, row))
            rep.inserted += 1
            return
        if rec.vals is None:  # a row that failed earlier in this call
            return
        old = dict(rec.vals)
        if old.get("nation") == team.nation:
            old["nation"] = None
        diff = sorted(f for f in present if old.get(f) != vals[f])
        if rec.team_id != team.team_id:
            diff.append("team_id")
            self.team_moves[pid] = (row, team.team_id)
        if not diff:
            rep.unchanged += 1
            return
        for f in diff:
            if f != "team_id":
                rec.vals[f] = vals[f]
        rec.team_id = team.team_id
        changed.append((rec, diff))
        rep.updated += 1

    def _write_teams(self, team_changes: dict[str, set[str]], rep: FileReport) -> None:
        from sqlalchemy import insert, update

        from storage.tables import t as tb

        t = tb.team
        for team in self.teams.values():
            if team.new and team.pk < 0:
                team.pk = self.conn.execute(
                    insert(t).values(team_id=team.team_id, name=team.name, nation=team.nation, version=1)
                    .returning(t.c.id)
                ).scalar_one()
                self.audit_row("team", team.team_id, "insert")
        for team_id, attrs in team_changes.items():
            team = self.teams[team_id]
            self.conn.execute(
                update(t).where(t.c.team_id == team_id)
                .values(name=team.name, nation=team.nation, version=t.c.version + 1)
            )
            self.audit_row("team", team_id, "update", fields=attrs)
            rep.also["teams changed"] += 1

    def _write_practitioners(self, new_pracs: list[tuple[_Prac, _Row]],
                             changed: list[tuple[_Prac, list[str]]]) -> None:
        from sqlalchemy import bindparam, insert, update

        from storage.tables import t as tb

        p = tb.practitioner
        if new_pracs:
            rows = [dict(rec.vals, practitioner_id=rec.pid, team_pk=self.teams[rec.team_id].pk, version=1)
                    for rec, _ in new_pracs]
            ids: dict[str, int] = {}
            for i in range(0, len(rows), BATCH):
                for pk, pid in self.conn.execute(insert(p).returning(p.c.id, p.c.practitioner_id), rows[i:i + BATCH]):
                    ids[pid] = pk
            for rec, _ in new_pracs:
                rec.pk = ids[rec.pid]
                self.audit_row("practitioner", rec.pid, "insert")
        if changed:
            cols = sorted({f for _, diff in changed for f in diff if f != "team_id"} | {"name"})
            stmt = (
                update(p).where(p.c.practitioner_id == bindparam("k_pid"))
                .values({**{c: bindparam(c) for c in cols}, "team_pk": bindparam("k_team"),
                         "version": p.c.version + 1})
            )
            self.execute(stmt, [
                {**{c: rec.vals[c] for c in cols}, "k_pid": rec.pid, "k_team": self.teams[rec.team_id].pk}
                for rec, _ in changed
            ])
            for rec, diff in changed:
                self.audit_row("practitioner", rec.pid, "update", fields=diff)
