"""The importer's shared machinery: the keys loaded once per call, the
checks every kind makes (known case, known practitioner, no duplicate key),
batched writes and the audit trail (docs/csv.md "Import rules").

Every read of an import is SQL text on a `storage.reader.Reader`
(`_ImporterBase.select`), every write a SQLAlchemy Core statement on
`conn`: a dry run reads on the driver's own connection and has no `conn`,
so it checks exactly as the import does without importing SQLAlchemy
(README "Every command"); each kind's module imports SQLAlchemy inside its
write functions, which only a writing import calls."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timezone
from typing import Any

from planner import validate
from storage import audit
from storage.csvio.row import _BAD, _Row
from storage.csvio.source import _Errors, _Source
from storage.csvio.spec import KINDS, ORDER
from storage.reader import Reader
from storage.schema_data import TABLES

__all__ = [
    "ALLOC_FIELDS", "BATCH", "CASE_FIELDS", "PRAC_FIELDS",
    "_Bulk", "_Case", "_ImporterBase", "_Prac", "_Team", "_pack", "cols", "q",
]

#: Rows per executemany batch.
BATCH = 5000

class _Team:
    __slots__ = ("pk", "team_id", "name", "nation", "new", "defined")

    def __init__(self, pk: int, team_id: str, name: str, nation: str, new: bool) -> None:
        self.pk, self.team_id, self.name, self.nation, self.new = pk, team_id, name, nation, new
        self.defined: dict[str, tuple[str, int]] = {}  # column -> (value, row) set in this call


class _Prac:
    __slots__ = ("pk", "pid", "team_id", "vals")

    def __init__(self, pk: int, pid: str, team_id: str, vals: dict[str, Any] | None) -> None:
        self.pk, self.pid, self.team_id, self.vals = pk, pid, team_id, vals


class _Case:
    __slots__ = ("pk", "ref", "team_id", "vals")

    def __init__(self, pk: int, ref: str, team_id: str | None, vals: dict[str, Any] | None) -> None:
        self.pk, self.ref, self.team_id, self.vals = pk, ref, team_id, vals


PRAC_FIELDS = tuple(c.field for c in KINDS["practitioners"].plain)
CASE_FIELDS = tuple(c.field for c in KINDS["cases"].plain)
#: The stored fields of an allocation beyond its key, in the order of the
#: importer's `allocs` lists; the first is the end date (None: open).
ALLOC_FIELDS = tuple(c.field for c in KINDS["allocations"].plain)
assert ALLOC_FIELDS[0] == "end_date"
_PLAIN_DETAIL: dict[str, str] = {}


def _pack(case_pk: int, day: date, prac_pk: int, kind_idx: int = 0) -> int:
    """An injective int for (case, date, practitioner, kind): small in memory
    for the million-row contact files. Placeholder (negative) pks are fine."""
    return (((case_pk << 23) + day.toordinal()) << 33) + ((prac_pk + (1 << 31)) << 3) + kind_idx


_AUDIT_COLUMNS = ("at", "actor", "action", "entity", "entity_key", "case_ref", "detail", "login")


class _Bulk:
    """A plain INSERT run with the driver's own executemany on tuples: for
    the million-row files, SQLAlchemy's per-row parameter processing costs
    more than the database does. Values must already be in the driver's
    form: `day()` and `moment()` give dates and datetimes as SQLAlchemy
    stores them on SQLite (ISO text) and leave them alone elsewhere."""

    def __init__(self, conn: Any, table: Any, columns: Sequence[str]) -> None:
        self.conn = conn
        self.table = table
        self.columns = tuple(columns)
        self.sqlite = conn.dialect.name == "sqlite"
        self.copy = conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"
        mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(conn.dialect.paramstyle)
        quote = conn.dialect.identifier_preparer.quote
        self.sql = None if mark is None else (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in self.columns)}) "
            f"VALUES ({', '.join([mark] * len(self.columns))})"
        )

    def day(self, value: date) -> Any:
        return value.isoformat() if self.sqlite else value

    def moment(self, value: datetime) -> Any:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value

    def run(self, rows: list[tuple[Any, ...]]) -> None:
        if self.copy:  # PostgreSQL: COPY is several times faster than INSERTs
            quote = self.conn.dialect.identifier_preparer.quote
            sql = (f"COPY {quote(self.table.name)} ({', '.join(quote(c) for c in self.columns)}) "
                   "FROM STDIN")
            with self.conn.connection.driver_connection.cursor() as cur:
                with cur.copy(sql) as copy:
                    for r in rows:
                        copy.write_row(r)
            return
        if self.sql is None:  # another driver: let SQLAlchemy convert
            from sqlalchemy import insert

            self.conn.execute(insert(self.table), [dict(zip(self.columns, r)) for r in rows])
            return
        self.conn.exec_driver_sql(self.sql, rows)


#: (table, column) -> its type in storage/schema_data.py.
_TYPES = {(name, col[0]): col[1] for name, spec in TABLES.items() for col in spec["columns"]}


class _Parsed(dict):
    """SQLite's text of a value -> the value, parsed once per distinct text."""

    def __init__(self, parse: Any) -> None:
        super().__init__()
        self.parse = parse

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.parse(key)
        return value


def _sqlite_readers() -> dict[str, Any]:
    """How a value of each type comes back from SQLite (text, 0/1) and what
    SQLAlchemy makes of it, which the import compares with its cells."""
    return {"date": _Parsed(date.fromisoformat).__getitem__, "time": _Parsed(time.fromisoformat).__getitem__,
            "datetime": _Parsed(datetime.fromisoformat).__getitem__, "boolean": bool}


def q(name: str) -> str:
    """A quoted identifier (`case`, `time` and `text` are SQL words)."""
    return f'"{name}"'


def cols(alias: str, table: str, names: Iterable[str]) -> tuple[str, list[tuple[str, str]]]:
    """(`alias."a", alias."b"`, the (table, column) of each) for `_ImporterBase.select`."""
    names = list(names)
    return ", ".join(f"{alias}.{q(n)}" for n in names), [(table, n) for n in names]


class _ImporterBase:
    def __init__(self, reader: Reader, conn: Any, *, dry_run: bool, actor: str, policy: Any, today: date) -> None:
        self.today = today
        self.reader = reader  # every read (`select`)
        self.conn = conn  # the Core connection every write goes to; None in a dry run
        self.dry_run = dry_run or conn is None
        self.actor = actor or audit.default_actor()
        self.sqlite = reader.dialect == "sqlite"
        # The database login (schema 0004): the OS user on SQLite.
        self.login = audit.default_actor() if self.sqlite else reader.scalar("SELECT session_user")
        self.policy = policy
        self.errors = _Errors()
        self.now = datetime.now(timezone.utc)  # the time of the import's inserts, aware and in UTC
        self._readers = _sqlite_readers() if self.sqlite else {}
        self._next_placeholder = -1
        self._audit: list[tuple[Any, ...]] = []
        self.teams: dict[str, _Team] | None = None
        self.pracs: dict[str, _Prac] | None = None
        self.cases: dict[str, _Case] | None = None
        self.cases_full = False
        self.allocs: dict[tuple[str, str, date], list[Any]] | None = None  # key -> ALLOC_FIELDS values
        self.allocs_of: dict[str, list[tuple[str, str, date]]] = {}  # case_ref -> keys
        self.open_alloc: dict[str, tuple[str, date]] = {}
        self.seen: dict[str, dict[Any, Any]] = {k: {} for k in ORDER}
        self.team_moves: dict[str, tuple[_Row, str]] = {}  # practitioner_id -> (row, new team)
        self.sources: dict[int, _Source] = {}
        self._audit_bulk: _Bulk | None = None

    @property
    def writing(self) -> bool:
        return not self.dry_run and not self.errors

    def placeholder(self) -> int:
        self._next_placeholder -= 1
        return self._next_placeholder

    def select(self, sql: str, columns: Sequence[tuple[str, str] | None], params: tuple = ()) -> Iterator[Any]:
        """The rows of `sql` (SQL text, `?` markers) on the import's reader,
        each value as SQLAlchemy reads it: `columns` gives the (table,
        column) of storage/schema_data.py of each selected column, whose type
        says how SQLite's text is read (None: as the driver gives it)."""
        convert = [(i, self._readers[_TYPES[c]]) for i, c in enumerate(columns)
                   if c is not None and _TYPES[c] in self._readers]
        rows = self.reader.rows(sql, params)
        if not convert:
            yield from rows
            return
        for row in rows:
            row = list(row)
            for i, read in convert:
                if row[i] is not None:
                    row[i] = read(row[i])
            yield row

    # -- loading, once per call ------------------------------------------------
    def load_teams_pracs(self) -> None:
        if self.teams is not None:
            return
        self.teams = {}
        for pk, team_id, name, nation in self.reader.rows("SELECT id, team_id, name, nation FROM team"):
            self.teams[team_id] = _Team(pk, team_id, name, nation, new=False)
        by_pk = {t.pk: t.team_id for t in self.teams.values()}
        self.pracs = {}
        fields, types = cols("p", "practitioner", PRAC_FIELDS)
        for r in self.select(f"SELECT p.id, p.practitioner_id, p.team_pk, {fields} FROM practitioner p",
                             [None, None, None, *types]):
            vals = {f: r[3 + i] for i, f in enumerate(PRAC_FIELDS)}
            self.pracs[r[1]] = _Prac(r[0], r[1], by_pk.get(r[2], ""), vals)

    def load_cases(self, full: bool) -> None:
        self.load_teams_pracs()
        if self.cases is not None and (self.cases_full or not full):
            return
        assert self.teams is not None
        by_pk = {t.pk: t.team_id for t in self.teams.values() if t.pk > 0}
        fields, types = cols("c", "case", CASE_FIELDS) if full else ("", [])
        loaded: dict[str, _Case] = {}
        for r in self.select(f'SELECT c.id, c.case_ref, c.team_pk{", " + fields if full else ""} FROM "case" c',
                             [None, None, None, *types]):
            vals = {f: r[3 + i] for i, f in enumerate(CASE_FIELDS)} if full else None
            loaded[r[1]] = _Case(r[0], r[1], by_pk.get(r[2]), vals)
        if self.cases is not None:  # upgrade keys-only records, keeping in-call ones
            for ref, rec in self.cases.items():
                if ref in loaded:
                    loaded[ref].pk = rec.pk
                else:
                    loaded[ref] = rec
        self.cases = loaded
        self.cases_full = full or self.cases_full

    def load_allocs(self) -> None:
        if self.allocs is not None:
            return
        self.load_cases(full=False)
        self.allocs = {}
        fields, types = cols("a", "allocation", ALLOC_FIELDS)
        rows = self.select(
            f'SELECT c.case_ref, p.practitioner_id, a.start_date, {fields} FROM allocation a '
            'JOIN "case" c ON c.id = a.case_id JOIN practitioner p ON p.id = a.practitioner_pk '
            'ORDER BY a.start_date',
            [None, None, ("allocation", "start_date"), *types])
        for ref, pid, start, *vals in rows:
            self.put_alloc((ref, pid, start), vals)
            if vals[0] is None:
                self.open_alloc[ref] = (pid, start)

    def put_alloc(self, key: tuple[str, str, date], vals: list[Any] | None = None) -> None:
        """Note an allocation; `vals` in ALLOC_FIELDS order (None: a new open one)."""
        assert self.allocs is not None
        if key not in self.allocs:
            self.allocs_of.setdefault(key[0], []).append(key)
        self.allocs[key] = list(vals) if vals is not None else [None] * len(ALLOC_FIELDS)

    # -- shared row checks -----------------------------------------------------
    def prac(self, row: _Row, column: str, pid: Any) -> Any:
        """The practitioner a key cell names (None for a blank, `_BAD` for an unknown one)."""
        return _known(row, column, pid, self.pracs, "practitioner")

    def case(self, row: _Row, column: str, ref: Any) -> Any:
        """The case a key cell names (None for a blank, `_BAD` for an unknown one)."""
        return _known(row, column, ref, self.cases, "case")

    def first_seen(self, kind: str, key: Any, row: _Row, column: str, label: str) -> bool:
        """Record `key` for duplicate detection; False (and an error naming
        the earlier row) when the same call already had it."""
        seen = self.seen[kind]
        earlier = seen.get(key)
        if earlier is not None:
            if isinstance(earlier, int):  # packed by do_contacts: source index << 32 | row
                src, num = self.sources[earlier >> 32], earlier & 0xFFFFFFFF
            else:
                src, num = earlier
            where = f"row {num}" if src is row.src else f"{src.name}:{num}"
            row.error(column, f"duplicate {label}: same as {where}")
            return False
        seen[key] = (row.src, row.num)
        return True

    def audit_row(self, entity: str, key: str, op: str, case_ref: str | None = None,
                  fields: Iterable[str] = ()) -> None:
        if not self.writing:
            return
        fields = sorted(fields)
        if fields:
            detail = json.dumps({"fields": fields, "op": op, "source": "csv"}, sort_keys=True)
        else:
            detail = _PLAIN_DETAIL.get(op) or _PLAIN_DETAIL.setdefault(
                op, json.dumps({"op": op, "source": "csv"}, sort_keys=True))
        if self._audit_bulk is None:
            from storage.tables import t as tb

            self._audit_bulk = _Bulk(self.conn, tb.audit_event, _AUDIT_COLUMNS)
            self._at = self._audit_bulk.moment(self.now)
        self._audit.append((self._at, self.actor, "import", entity, key[:128], case_ref, detail, self.login))
        if len(self._audit) >= BATCH:
            self.flush_audit()

    def flush_audit(self) -> None:
        if self._audit:
            self.bulk(self._audit_bulk, self._audit)
            self._audit = []

    def bulk(self, bulk: _Bulk, rows: list[tuple[Any, ...]]) -> None:
        if rows and self.writing:
            bulk.run(rows)

    def execute(self, stmt: Any, rows: list[dict[str, Any]]) -> None:
        if rows and self.writing:
            for i in range(0, len(rows), BATCH):
                self.conn.execute(stmt, rows[i:i + BATCH])

    def finish(self) -> None:
        """Checks that need every file of the call: a practitioner moved to
        another team may not leave open cases of their old team behind
        (planner.validate.stranded_cases), unless this call moves those
        cases too."""
        if not self.team_moves:
            return
        self.load_allocs()
        assert self.cases is not None
        held: dict[str, list[tuple[str, str | None]]] = {}
        for ref, (pid, _start) in self.open_alloc.items():
            if pid in self.team_moves:
                case = self.cases.get(ref)
                held.setdefault(pid, []).append((ref, case.team_id if case else None))
        for pid, (row, team) in self.team_moves.items():
            problem = validate.stranded_cases(pid, team, held.get(pid, ()))
            if problem is not None:
                row.error("team_id", problem)


def _known(row: _Row, column: str, key: Any, records: dict[str, Any] | None, what: str) -> Any:
    if not isinstance(key, str):
        return key  # None or _BAD
    assert records is not None
    rec = records.get(key)
    if rec is None:
        row.error(column, f"unknown {what} {key!r} (not in the database or this import)")
        return _BAD
    return rec
