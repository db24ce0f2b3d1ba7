"""Demo copies: the sample moved to today's date (`demo_copy`)."""

from __future__ import annotations

import os
import sqlite3
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy import Date, DateTime, TypeDecorator, bindparam, create_engine, inspect, select

from sqlmodel import SQLModel

from storage.audit_guard import sqlite_append_only_suspended
from storage.sample.builder import DEMO_FILENAME, _tables


def shipped_sample_path() -> Path:
    """The sample.db inside the installed `storage` package."""
    res = resources.files("storage").joinpath("sample.db")
    path = Path(str(res))
    if not path.is_file():
        raise FileNotFoundError(f"the packaged sample database is missing: {path}")
    return path


def read_built_for(path: str | os.PathLike[str]) -> date:
    con = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'built_for'").fetchone()
    finally:
        con.close()
    if row is None:
        raise ValueError(f"{path} has no built_for date in its meta table")
    return date.fromisoformat(row[0])


def demo_shift(built_for: date, today: date) -> timedelta:
    """How far a demo copy moves its dates: the whole weeks nearest to
    `today - built_for`, so every appointment keeps its weekday (none lands
    on a weekend); the scenarios then read within three days of as built."""
    return timedelta(days=7 * round((today - built_for).days / 7))


def demo_copy(src: str | os.PathLike[str], dest_dir: str | os.PathLike[str], today: date) -> Path:
    """Copy `src` into `dest_dir` (SQLite backup API; `src` is opened read-only
    and never changed), then, in one transaction, move every Date and
    DateTime column of every table by `demo_shift(built_for, today)` (whole
    weeks), move any appointment that lands on a bank holiday to the next
    working day (`_off_bank_holidays`), and record the new `built_for`.
    Returns the copy's path (replaced if it exists)."""
    src = Path(src)
    built_for = read_built_for(src)
    shift = demo_shift(built_for, today)
    folder = Path(dest_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    dest = folder / DEMO_FILENAME
    for suffix in ("", "-wal", "-shm", "-journal"):
        dest.with_name(dest.name + suffix).unlink(missing_ok=True)
    old = os.umask(0o077)
    try:
        source = sqlite3.connect(f"{src.absolute().as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(dest)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    finally:
        os.umask(old)
    os.chmod(dest, 0o600)
    engine = create_engine(f"sqlite:///{dest}")
    try:
        with engine.begin() as conn, sqlite_append_only_suspended(conn):
            present = set(inspect(conn).get_table_names())
            if shift:
                for table in SQLModel.metadata.sorted_tables:
                    if table.name in present:
                        _shift_table(conn, table, shift)
                _shift_exdates(conn, shift)
                _off_bank_holidays(conn)
            conn.execute(
                _tables()["meta"].update()
                .where(_tables()["meta"].c.key == "built_for")
                .values(value=(built_for + shift).isoformat())
            )
    finally:
        engine.dispose()
    return dest


def _off_bank_holidays(conn) -> None:
    """No appointment of the demo on a bank holiday (of England and Wales,
    the sample teams' nation): a one-off on one moves to the next working day
    (unless the person already has one then with that practitioner); a
    series' occurrence on one is moved on its own, as RFC 5545 has it (a
    row replacing that occurrence on the next working day: storage/repo/appointments.py)."""
    from planner.calendar import working_days
    from planner.model import Appointment
    from planner.rules import appointment_dates

    wd = working_days("england-and-wales")
    t = _tables()["appointment"]
    rows = conn.execute(select(t.c.id, t.c.case_id, t.c.appointment_date, t.c.practitioner_pk, t.c.time,
                               t.c.kind, t.c.rrule).where(t.c.series_id.is_(None))).all()
    taken = {(r.case_id, r.appointment_date, r.practitioner_pk) for r in rows}
    for r in rows:
        if r.rrule:
            days = [day for day in appointment_dates(Appointment(r.appointment_date, "", rrule=r.rrule),
                                                     r.appointment_date, r.appointment_date + timedelta(days=800))
                    if not wd.is_working(day)]
        elif wd.is_working(r.appointment_date):
            continue
        else:
            day = wd.on_or_after(r.appointment_date)
            if (r.case_id, day, r.practitioner_pk) in taken:
                conn.execute(t.delete().where(t.c.id == r.id))
            else:
                conn.execute(t.update().where(t.c.id == r.id).values(appointment_date=day))
            taken.discard((r.case_id, r.appointment_date, r.practitioner_pk))
            taken.add((r.case_id, day, r.practitioner_pk))
            continue
        for holiday in days:
            day = wd.on_or_after(holiday)
            if (r.case_id, day, r.practitioner_pk) in taken:
                continue
            taken.add((r.case_id, day, r.practitioner_pk))
            conn.execute(t.insert().values(case_id=r.case_id, appointment_date=day,
                                           practitioner_pk=r.practitioner_pk, time=r.time, kind=r.kind,
                                           rrule=None, series_id=r.id, recurrence_date=holiday, version=1))


def _shift_exdates(conn, shift: timedelta) -> None:
    """A series' cancelled occurrences (text, not a Date column) move with it."""
    from planner.appointments import format_exdates, parse_exdates

    t = _tables()["appointment"]
    for aid, exdates in conn.execute(select(t.c.id, t.c.exdates).where(t.c.exdates.is_not(None))).all():
        conn.execute(t.update().where(t.c.id == aid).values(
            exdates=format_exdates(day + shift for day in parse_exdates(exdates))))


def _shift_table(conn, table, shift: timedelta) -> None:
    cols = [c for c in table.columns if _is_dated(c.type)]
    pk = list(table.primary_key.columns)
    if not cols or len(pk) != 1:
        return
    pk = pk[0]
    rows = conn.execute(select(pk, *cols)).all()
    if not rows:
        return
    # Rows are updated one by one; a unique key that holds a date could
    # briefly collide, so move the furthest rows first (latest first when
    # moving forward, earliest first when moving back).
    order_col = _unique_date_column(table, cols)
    if order_col is not None:
        i = cols.index(order_col) + 1
        rows.sort(key=lambda r: (r[i] is None, r[i] or date.min), reverse=shift.days > 0)
    params = [
        {"_pk": r[0], **{f"_{c.name}": (None if r[j] is None else r[j] + shift)
                          for j, c in enumerate(cols, start=1)}}
        for r in rows
    ]
    stmt = (
        table.update()
        .where(pk == bindparam("_pk"))
        .values({c.name: bindparam(f"_{c.name}") for c in cols})
    )
    conn.execute(stmt, params)


def _is_dated(type_) -> bool:
    """Date or DateTime, seen through TypeDecorators (sqlmodel's UTCDateTime)."""
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    return isinstance(type_, (Date, DateTime))


def _unique_date_column(table, cols):
    from sqlalchemy import UniqueConstraint

    groups = [list(con.columns) for con in table.constraints if isinstance(con, UniqueConstraint)]
    groups += [list(ix.columns) for ix in table.indexes if ix.unique]
    for group in groups:
        for col in group:
            if col in cols:
                return col
    return None


