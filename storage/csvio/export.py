"""`export_dir`: every record in exactly the import formats, read by the
spec (storage/csvio/spec.py): a plain column is selected from its field, the
rest from the sources each kind names here (docs/csv.md "Export")."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from planner.errors import CaseloadError, FileProblem
from planner.model import OPEN_HANDOVER_STATUSES
from storage import audit
from storage.csvio.cells import escape_cell
from storage.csvio.spec import FILENAMES, JSON_FILENAME, KINDS, ORDER
from storage.files import PrivateFiles
from storage.progress import NO_PROGRESS, Progress, told
from storage.tables import t as tb

__all__ = ["export_dir"]

class _Rows:
    """Per kind, an iterator of rows (values in `KINDS[kind].columns` order)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = self.conn.dialect.name == "postgresql"
        p = tb.practitioner.c
        self.pid_of = dict(self.conn.execute(select(p.id, p.practitioner_id)).all())

    def cs(self, col: Any) -> Any:  # byte-order sorting on both databases
        return col.collate("C") if self.pg else col

    def pid(self, pk: Any) -> Any:
        return self.pid_of.get(pk) if pk else None

    def stream(self, kind: str, special: dict[str, Any], shape: Callable[[Any], Any],
               after: dict[str, Callable[[Any], Any]] | None = None) -> Iterator[list[Any]]:
        """The kind's rows: each column selected from `special`, else from
        its field of the kind's table; `after` maps a column's value in Python."""
        table, specs = KINDS[kind].table, KINDS[kind].specs
        exprs = [special[c.name] if c.name in special else table.c[c.field] for c in specs]
        fixes = [(i, after[c.name]) for i, c in enumerate(specs) if after and c.name in after]
        for r in self.conn.execute(shape(select(*exprs)).execution_options(yield_per=10_000)):
            row = list(r)
            for i, fix in fixes:
                row[i] = fix(row[i])
            yield row

    def all(self) -> dict[str, Iterator[list[Any]]]:
        return {kind: getattr(self, kind)() for kind in ORDER}

    def practitioners(self) -> Iterator[list[Any]]:
        t, p = tb.team.c, tb.practitioner.c
        special = {"practitioner_id": p.practitioner_id, "team_id": t.team_id, "team_name": t.name,
                   "nation": func.coalesce(p.nation, t.nation)}
        return self.stream("practitioners", special,
                           lambda s: s.select_from(tb.practitioner).join(tb.team, t.id == p.team_pk)
                           .order_by(self.cs(p.practitioner_id)))

    def cases(self) -> Iterator[list[Any]]:
        a, c = tb.allocation.c, tb.case.c
        held: dict[int, tuple[Any, ...]] = {}
        for case_id, prac_pk, start, end in self.conn.execute(
            select(a.case_id, a.practitioner_pk, a.start_date, a.end_date).order_by(a.case_id, a.start_date, a.id)
        ):
            # the open allocation, else the latest one
            if end is None or case_id not in held or held[case_id][2] is not None:
                held[case_id] = (self.pid_of[prac_pk], start, end)
        after = {"practitioner_id": lambda pk: held.get(pk, (None,))[0],
                 "allocated_on": lambda pk: held.get(pk, (None, None))[1]}
        yield from self.stream("cases", {"practitioner_id": c.id, "allocated_on": c.id},
                               lambda s: s.order_by(self.cs(c.case_ref)), after)

    def checkins(self) -> Iterator[list[Any]]:
        k = tb.checkin
        return self._by_case("checkins", k, k.c.practitioner_pk, k.c.checkin_date,
                             self.cs(tb.practitioner.c.practitioner_id))

    def not_with(self) -> Iterator[list[Any]]:
        k = tb.not_with
        return self._by_case("not_with", k, k.c.practitioner_pk, self.cs(tb.practitioner.c.practitioner_id))

    def _by_case(self, kind: str, table: Any, prac_pk: Any, *order: Any, **extra: Any) -> Iterator[list[Any]]:
        """A kind of `table` keyed by case_ref and a practitioner (joined on `prac_pk`),
        ordered by case_ref and then `order`."""
        c, p = tb.case.c, tb.practitioner.c
        special = {"case_ref": c.case_ref, "practitioner_id": p.practitioner_id,
                   "to_practitioner_id": p.practitioner_id, **extra.pop("special", {})}
        where = extra.pop("where", None)

        def shape(s: Any) -> Any:
            s = s.select_from(table).join(tb.case, c.id == table.c.case_id).join(tb.practitioner, p.id == prac_pk)
            return (s if where is None else s.where(where)).order_by(self.cs(c.case_ref), *order)

        return self.stream(kind, special, shape, extra.pop("after", None))

    def allocations(self) -> Iterator[list[Any]]:
        a = tb.allocation
        return self._by_case("allocations", a, a.c.practitioner_pk, a.c.start_date,
                             self.cs(tb.practitioner.c.practitioner_id))

    def contacts(self) -> Iterator[list[Any]]:
        k = tb.contact
        return self._by_case("contacts", k, k.c.practitioner_pk, k.c.contact_date,
                             self.cs(tb.practitioner.c.practitioner_id), self.cs(k.c.kind),
                             special={"with_practitioner_id": k.c.with_practitioner_pk},
                             after={"with_practitioner_id": self.pid})

    def appointments(self) -> Iterator[list[Any]]:
        # every row, cancelled ones too: a series' exceptions are rows of their own (docs/csv.md)
        k, s = tb.appointment, tb.appointment.alias("series")
        series_date = select(s.c.appointment_date).where(s.c.id == k.c.series_id).scalar_subquery()
        return self._by_case("appointments", k, k.c.practitioner_pk, k.c.appointment_date,
                             self.cs(tb.practitioner.c.practitioner_id), special={"series_date": series_date})

    def absences(self) -> Iterator[list[Any]]:
        k, p = tb.absence.c, tb.practitioner.c
        return self.stream("absences", {"practitioner_id": p.practitioner_id,
                                        "cover_practitioner_id": k.cover_practitioner_pk},
                           lambda s: s.select_from(tb.absence).join(tb.practitioner, p.id == k.practitioner_pk)
                           .order_by(self.cs(p.practitioner_id), k.start_date),
                           {"cover_practitioner_id": self.pid})

    def handovers(self) -> Iterator[list[Any]]:
        h = tb.handover
        return self._by_case("handovers", h, h.c.to_practitioner_pk, h.c.planned_on,
                             where=h.c.status.in_(OPEN_HANDOVER_STATUSES))


def _scoped(conn: Connection, rows: dict[str, Iterator[list[Any]]], actor: str) -> dict[str, Iterator[list[Any]]]:
    """Only what the actor sees (storage.access): the cases they see and
    what hangs off them, the practitioners they see and their absences."""
    from storage.access import actor_for, visible_case_refs, visible_practitioner_ids

    me = actor_for(conn, actor)
    cases, people = visible_case_refs(conn, me), visible_practitioner_ids(conn, me)
    if cases is None or people is None:
        return rows
    by_person = ("practitioners", "absences")  # keyed by practitioner_id; the rest by case_ref
    return {kind: (r for r in it if r[0] in (people if kind in by_person else cases))
            for kind, it in rows.items()}


def _write_csv(out: PrivateFiles, dest: Path, rows: dict[str, Iterator[list[Any]]],
               progress: Progress = NO_PROGRESS) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in ORDER:
        n = 0
        fmts = [c.fmt for c in KINDS[kind].specs]
        with out.open(out.claim(dest / FILENAMES[kind])) as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(KINDS[kind].columns)
            for values in told(rows[kind], progress.task(FILENAMES[kind], None)):
                writer.writerow([escape_cell(f(v)) for f, v in zip(fmts, values)])
                n += 1
        counts[kind] = n
    return counts


def _write_json(out: PrivateFiles, dest: Path, rows: dict[str, Iterator[list[Any]]],
                progress: Progress = NO_PROGRESS) -> dict[str, int]:
    counts: dict[str, int] = {}
    with out.open(out.claim(dest / JSON_FILENAME)) as fh:
        fh.write('{"format": "caseload-export", "version": 1')
        for kind in ORDER:
            specs = KINDS[kind].specs
            fh.write(f',\n "{kind}": [')
            n = 0
            for values in told(rows[kind], progress.task(kind, None)):
                record = {c.name: (c.fmt(v) or None) for c, v in zip(specs, values)}
                fh.write(("\n  " if n == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False))
                n += 1
            fh.write("\n ]" if n else "]")
            counts[kind] = n
        fh.write("\n}\n")
    return counts


def _prepare(dest: Path, names: list[str], force: bool) -> None:
    """Refuse before reading anything: a file in the way, or no folder to write to."""
    if dest.exists() and not dest.is_dir():
        raise FileProblem(f"{dest} is not a folder")
    if dest.is_dir():
        with PrivateFiles(force=force) as check:
            for name in names:
                check.claim(dest / name)
        return
    try:
        dest.mkdir(mode=0o700, parents=True)
    except OSError as exc:
        raise FileProblem(f"cannot make the folder {dest} ({exc.strerror or exc})") from None


def export_dir(
    engine: Engine,
    dest_dir: str | os.PathLike[str],
    fmt: str = "csv",
    *,
    actor: str,
    force: bool = False,
    progress: Progress = NO_PROGRESS,
) -> list[Path]:
    """Write every record in the import formats to `dest_dir` (created 0700
    if missing); returns the files written (0600). See docs/csv.md.

    All or nothing (storage/files.py): each file is written beside its name
    and renamed into place only once every file is whole and the export's
    audit event is committed; an existing file (or a symbolic link) in the
    way is refused unless `force`."""
    if fmt not in ("csv", "json"):
        raise CaseloadError(f"unknown export format {fmt!r} (use csv or json)")
    dest = Path(dest_dir)
    _prepare(dest, [FILENAMES[kind] for kind in ORDER] if fmt == "csv" else [JSON_FILENAME], force)
    with engine.connect() as conn, PrivateFiles(force=force) as out:  # Core: no ORM (README "Every command")
        rows = _scoped(conn, _Rows(conn).all(), actor)
        try:
            counts = (_write_csv if fmt == "csv" else _write_json)(out, dest, rows, progress)
        except OSError as exc:
            raise FileProblem(f"cannot write the export to {dest} ({exc.strerror or exc}); "
                              "nothing was written") from None
        conn.rollback()  # end the read transaction before writing the audit event
        audit.record(conn, actor, "export", "export", fmt, **counts)
        conn.commit()  # an export the audit trail cannot record is not placed
        return out.place()
