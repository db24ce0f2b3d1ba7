"""`caseload check` on a `storage.reader.Reader`: integrity, foreign keys,
schema revision, drift, stored series and dates, file permissions, read
with SQL text and the database's own catalogue (SQLite's PRAGMAs,
PostgreSQL's pg_catalog), without SQLAlchemy, SQLModel or Alembic
(README "Every command").

Drift is the database's tables, columns (type, nullability), indexes,
unique constraints and foreign keys against storage/schema_data.py, the
plain-data description generated from storage/models.py
(`python -m storage.schema_gen`). tests/storage/test_migrations.py holds it
to Alembic's own comparison: a database at head has no drift by either.
`storage.db.checks.check_db` runs this same check on an engine.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from storage.reader import Reader, schema_state
from storage.schema_data import TABLES

_LIMIT = 20  # lines of one kind at most

# A column's type as the database declares it, by storage/schema_data.py's names.
_SQLITE_TYPES = {"INTEGER": "integer", "BIGINT": "bigint", "FLOAT": "float", "BOOLEAN": "boolean",
                 "TEXT": "text", "DATE": "date", "DATETIME": "datetime", "TIME": "time", "VARCHAR": "string"}
_PG_TYPES = {"integer": "integer", "bigint": "bigint", "double precision": "float", "real": "float",
             "boolean": "boolean", "text": "text", "date": "date", "timestamp with time zone": "datetime",
             "timestamp without time zone": "datetime", "time without time zone": "time",
             "character varying": "string"}


def check_on(reader: Reader, path: Path | None) -> list[str]:
    """Problems found in the database behind `reader` (empty: healthy); `path`
    is the SQLite file (its permissions are checked) or None."""
    problems: list[str] = []
    state = schema_state(reader)
    if reader.dialect == "sqlite":
        rows = [str(r) for (r,) in reader.rows("PRAGMA integrity_check")]
        if rows != ["ok"]:
            problems += [f"integrity: {r}" for r in rows[:_LIMIT]]
        problems += [f"foreign key: {fk_problem(row)}" for row in reader.all("PRAGMA foreign_key_check")[:_LIMIT]]
    if state.current is None:
        problems.append("schema: the database is empty; run `caseload init`" if state.empty
                        else "schema: tables but no schema revision (not a caseload database)")
    elif state.newer:
        problems.append(f"schema: revision {state.current} is newer than this version of caseload knows "
                        f"(up to {state.head}); upgrade caseload")
    elif state.behind:
        problems.append(f"schema: revision {state.current}, this version needs {state.head}; "
                        "run `caseload init` to upgrade")
    else:
        problems += [f"schema drift: {d}" for d in drift(reader)]
        problems += series_problems(reader)
        problems += date_problems(reader)
    if path is not None:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            problems.append(f"permissions: {path} has mode {mode:o}, others can read it; run chmod 600")
    return problems


def fk_problem(row) -> str:
    """One line for a row of `PRAGMA foreign_key_check` (table, rowid, parent, fkid)."""
    return f"{row[0]} row {row[1]} points to a missing {row[2]} row"


# ----------------------------------------------------------------------------- drift


def drift(reader: Reader) -> list[str]:
    """Differences between the database's tables and storage/schema_data.py,
    one line each (Alembic's words: add_* is in the models and missing from
    the database, remove_* the other way round); empty = none."""
    live = _live_sqlite(reader) if reader.dialect == "sqlite" else _live_postgresql(reader)
    out: list[str] = []
    for name in sorted(set(TABLES) - set(live)):
        out.append(f"add_table {name}")
    for name in sorted(set(live) - set(TABLES)):
        out.append(f"remove_table {name}")
    for name in sorted(set(TABLES) & set(live)):
        out += _table_drift(name, TABLES[name], live[name])
    return out


def _table_drift(name: str, spec: dict, live: dict) -> list[str]:
    out = []
    want = {c[0]: c for c in spec["columns"]}
    for column in [c for c in want if c not in live["columns"]]:
        out.append(f"add_column {name}.{column}")
    for column in [c for c in live["columns"] if c not in want]:
        out.append(f"remove_column {name}.{column}")
    for column, (_n, kind, length, nullable, _pk, _fk, _default) in want.items():
        if column not in live["columns"]:
            continue
        has_kind, has_length, has_nullable = live["columns"][column]
        if (has_kind, has_length) != (kind, length if kind == "string" else None):
            out.append(f"modify_type {name}.{column}: {_type_words(has_kind, has_length)} in the database, "
                       f"{_type_words(kind, length)} in storage/models.py")
        if has_nullable != nullable:
            out.append(f"modify_nullable {name}.{column}: "
                       f"{'NULL allowed' if has_nullable else 'NOT NULL'} in the database, "
                       f"{'NULL allowed' if nullable else 'NOT NULL'} in storage/models.py")
    indexes = {ix[0]: (tuple(ix[1]), bool(ix[2])) for ix in spec["indexes"]}
    for index in sorted(set(indexes) - set(live["indexes"])):
        out.append(f"add_index {index} on {name}")
    for index in sorted(set(live["indexes"]) - set(indexes)):
        out.append(f"remove_index {index} on {name}")
    for index in sorted(set(indexes) & set(live["indexes"])):
        if live["indexes"][index] != indexes[index]:
            out.append(f"modify_index {index} on {name}: {_index_words(*live['indexes'][index])} in the database, "
                       f"{_index_words(*indexes[index])} in storage/models.py")
    unique = {tuple(u) for u in spec["unique"]}
    has_unique = live["unique"] | {cols for cols, is_unique in live["indexes"].values() if is_unique}
    for cols in sorted(unique - has_unique):
        out.append(f"add_unique {name} ({', '.join(cols)})")
    for cols in sorted(live["unique"] - unique):
        out.append(f"remove_unique {name} ({', '.join(cols)})")
    fks = {(c[0], c[5]) for c in spec["columns"] if c[5]}
    for column, target in sorted(fks - live["fks"]):
        out.append(f"add_fk {name}.{column} -> {target}")
    for column, target in sorted(live["fks"] - fks):
        out.append(f"remove_fk {name}.{column} -> {target}")
    return out


def _type_words(kind: str, length: int | None) -> str:
    return f"{kind}({length})" if length else kind


def _index_words(cols: tuple[str, ...], unique: bool) -> str:
    return f"{'unique ' if unique else ''}({', '.join(cols)})"


def _ours(name: str) -> bool:
    return name != "alembic_version" and not name.startswith("sqlite_")


def _live_sqlite(reader: Reader) -> dict[str, dict]:
    """{table: {"columns": {name: (kind, length, nullable)}, "indexes": {name:
    (columns, unique)}, "unique": {columns}, "fks": {(column, "table.column")}}}."""
    tables = {}
    for (table,) in reader.all("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        if not _ours(table):
            continue
        quoted = '"' + table.replace('"', '""') + '"'
        columns = {}
        for _cid, column, declared, notnull, _default, _pk in reader.all(f"PRAGMA table_info({quoted})"):
            base, _, rest = (declared or "").upper().partition("(")
            columns[column] = (_SQLITE_TYPES.get(base.strip(), declared), int(rest.rstrip(")")) if rest else None,
                               not notnull)
        indexes, unique = {}, set()
        for _seq, index, is_unique, origin, _partial in reader.all(f"PRAGMA index_list({quoted})"):
            cols = tuple(c for _n, _cid, c in reader.all(f'PRAGMA index_info("{index}")'))
            if origin == "c":
                indexes[index] = (cols, bool(is_unique))
            elif origin == "u":
                unique.add(cols)
        fks = {(row[3], f"{row[2]}.{row[4]}") for row in reader.all(f"PRAGMA foreign_key_list({quoted})")}
        tables[table] = {"columns": columns, "indexes": indexes, "unique": unique, "fks": fks}
    return tables


def _live_postgresql(reader: Reader) -> dict[str, dict]:
    """As `_live_sqlite`, from pg_catalog (the current schema)."""
    tables: dict[str, dict] = {}
    # pg_catalog, not information_schema: that shows a practitioner's login only the tables it may use
    for (table,) in reader.all("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                               "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"):
        if _ours(table):
            tables[table] = {"columns": {}, "indexes": {}, "unique": set(), "fks": set()}
    for table, column, declared, nullable in reader.all(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 "
            "AND NOT a.attisdropped ORDER BY c.relname, a.attnum"):
        if table in tables:
            base, _, rest = declared.partition("(")
            tables[table]["columns"][column] = (_PG_TYPES.get(base, declared), int(rest.rstrip(")")) if rest else None,
                                                bool(nullable))
    for table, index, is_unique, constraint, cols in reader.all(
            "SELECT t.relname, i.relname, x.indisunique, c.contype, "
            "ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(num, ord) "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.num ORDER BY k.ord) "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid "
            "AND c.conrelid = t.oid WHERE n.nspname = current_schema() AND NOT x.indisprimary"):
        if table not in tables:
            continue
        if constraint == "u":
            tables[table]["unique"].add(tuple(cols))
        elif constraint is None:
            tables[table]["indexes"][index] = (tuple(cols), bool(is_unique))
    for table, column, target, target_column in reader.all(
            "SELECT t.relname, a.attname, f.relname, fa.attname FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            "JOIN pg_class f ON f.oid = c.confrelid "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] "
            "WHERE c.contype = 'f' AND n.nspname = current_schema()"):
        if table in tables:
            tables[table]["fks"].add((column, f"{target}.{target_column}"))
    return tables


# ----------------------------------------------------------------------------- stored values


def date_problems(reader: Reader) -> list[str]:
    """Dates outside planner.validate's range (stored before the importer
    checked them): the rules read them as the nearer end of the range."""
    from planner.validate import EARLIEST, LATEST

    problems = []
    for table, spec in TABLES.items():
        for column in (c[0] for c in spec["columns"] if c[1] == "date"):
            for row_id, day in reader.all(
                    f'SELECT id, {column} FROM "{table}" WHERE {column} < ? OR {column} > ? ORDER BY id LIMIT 5',
                    (EARLIEST, LATEST)):
                problems.append(f"{table} {row_id}: {column} {day} is outside {EARLIEST} to {LATEST}; "
                                "rules read it as the nearer of the two: correct it")
    return problems[:_LIMIT]


def series_problems(reader: Reader) -> list[str]:
    """Appointments whose RRULE the app would not book today (stored before
    planner.recurrence checked them): they are read within their window, an
    unreadable one as a single appointment, but say so."""
    from planner.appointments import exdate_problems
    from planner.recurrence import RuleError, check

    problems = []
    rows = reader.all(
        'SELECT a.id, c.case_ref, a.appointment_date, a.rrule, a.exdates FROM appointment a '
        'JOIN "case" c ON c.id = a.case_id WHERE a.rrule IS NOT NULL OR a.exdates IS NOT NULL ORDER BY a.id')
    for row_id, case_ref, day, rrule, exdates in rows:
        day = date.fromisoformat(day) if isinstance(day, str) else day
        what = f"appointment {row_id} of case {case_ref}"
        if rrule:
            try:
                check(rrule, day)
            except RuleError as exc:
                problems.append(f"{what}: rrule {rrule[:60]!r}: {exc}; cancel it and book it again")
                continue
        # a series' cancelled occurrences (schema 0008): one the series does not have cancels nothing
        problems += [f"{what}: exdates: {problem}; the occurrence it meant is not cancelled: correct it"
                     for problem in exdate_problems(exdates, rrule, day)]
    return problems[:_LIMIT]
