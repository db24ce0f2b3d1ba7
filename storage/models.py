"""The schema: SQLModel tables.

Surrogate integer keys join the tables; the natural keys (`team_id`,
`practitioner_id`, `case_ref`) are unique and are what people type, import
and export. Every editable table carries `version`, SQLAlchemy's
`version_id_col`, so a stale edit is refused (`StaleDataError`) instead of
overwriting someone else's change. `audit_event` is append-only and has none.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, timezone

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    # Aware: sqlmodel maps `datetime` fields to UTCDateTime, which refuses
    # naive values (and the migrations create timezone-aware columns).
    return datetime.now(timezone.utc)


class Versioned(SQLModel):
    """Optimistic locking: SQLAlchemy bumps `version` on every UPDATE and
    refuses one whose WHERE clause finds another version."""

    version: int = Field(default=1, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:  # noqa: N805 - SQLAlchemy's signature
        return {"version_id_col": cls.__table__.c.version}


class Team(Versioned, table=True):
    __tablename__ = "team"
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(unique=True, index=True, max_length=64)
    name: str = Field(max_length=200)
    nation: str = Field(default="england-and-wales", max_length=32)
    # The adult team a youth justice team's children move to at 18 (SPEC §11; schema 0011)
    transition_team_pk: int | None = Field(default=None, foreign_key="team.id")


class Practitioner(Versioned, table=True):
    __tablename__ = "practitioner"
    id: int | None = Field(default=None, primary_key=True)
    practitioner_id: str = Field(unique=True, index=True, max_length=64)
    name: str = Field(max_length=200)
    team_pk: int = Field(foreign_key="team.id", index=True)
    role: str = Field(default="practitioner", max_length=16)
    grade: str = Field(default="PO", max_length=8)
    contracted_hours: float = Field(default=37.0)
    reduction_pct: float = Field(default=0.0)
    leaving_on: date | None = None
    email: str | None = Field(default=None, max_length=254)
    nation: str | None = Field(default=None, max_length=32)


class Case(Versioned, table=True):
    __tablename__ = "case"
    id: int | None = Field(default=None, primary_key=True)
    case_ref: str = Field(unique=True, index=True, max_length=64)
    display_name: str = Field(max_length=200)
    team_pk: int | None = Field(default=None, foreign_key="team.id", index=True)
    tier: str | None = Field(default=None, max_length=2)
    contact_level: str | None = Field(default=None, max_length=16)
    youth: bool = Field(default=False)
    date_of_birth: date | None = None
    flags: str = Field(default="", max_length=400)  # ';'-separated, sorted
    status: str = Field(default="active", max_length=16, index=True)
    paused_until: date | None = None
    # schema 0009, the person's voice (docs/voice.md): first language, needs an interpreter
    language: str | None = Field(default=None, max_length=64)
    interpreter: bool = Field(default=False)
    # schema 0010: sentence, custody and risk context (docs/words.md)
    sentence: str | None = Field(default=None, max_length=32)
    sentence_end: date | None = None
    release_on: date | None = None
    rosh: str | None = Field(default=None, max_length=16)
    mappa_level: int | None = None
    restricted: bool = Field(default=False)


class Allocation(Versioned, table=True):
    __tablename__ = "allocation"
    __table_args__ = (
        UniqueConstraint("case_id", "practitioner_pk", "start_date", name="uq_allocation_natural"),
        Index("ix_allocation_practitioner_open", "practitioner_pk", "end_date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    practitioner_pk: int = Field(foreign_key="practitioner.id")
    start_date: date
    end_date: date | None = None
    reason: str | None = Field(default=None, max_length=400)


class Contact(Versioned, table=True):
    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("case_id", "contact_date", "practitioner_pk", "kind", name="uq_contact_natural"),
        Index("ix_contact_case_date", "case_id", "contact_date"),
        Index("ix_contact_practitioner_date", "practitioner_pk", "contact_date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    contact_date: date
    practitioner_pk: int = Field(foreign_key="practitioner.id")
    kind: str = Field(default="office", max_length=16)
    outcome: str = Field(default="attended", max_length=16)
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # schema 0006: who cancelled a cancelled contact (`person`, `practitioner`),
    # and a second practitioner present (the incoming one at a three-way)
    cancelled_by: str | None = Field(default=None, max_length=16)
    with_practitioner_pk: int | None = Field(default=None, foreign_key="practitioner.id")


class Checkin(Versioned, table=True):
    """Schema 0009: the person's answers at a contact (docs/voice.md)."""

    __tablename__ = "checkin"
    __table_args__ = (
        UniqueConstraint("case_id", "checkin_date", "practitioner_pk", name="uq_checkin_natural"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    checkin_date: date
    practitioner_pk: int = Field(foreign_key="practitioner.id")
    listened: int
    goals: int
    trust: int
    words: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class NotWith(Versioned, table=True):
    """Schema 0009: a practitioner the person must not be allocated to, with a
    reason code (planner.model.NOT_WITH_REASONS; no free text about staff)."""

    __tablename__ = "not_with"
    __table_args__ = (UniqueConstraint("case_id", "practitioner_pk", name="uq_not_with_natural"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    practitioner_pk: int = Field(foreign_key="practitioner.id")
    reason: str = Field(max_length=16)


class Appointment(Versioned, table=True):
    __tablename__ = "appointment"
    __table_args__ = (
        UniqueConstraint("case_id", "appointment_date", "practitioner_pk", name="uq_appointment_natural"),
        Index("ix_appointment_case_date", "case_id", "appointment_date"),
        Index("ix_appointment_practitioner_date", "practitioner_pk", "appointment_date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    appointment_date: date
    practitioner_pk: int = Field(foreign_key="practitioner.id")
    time: dt.time | None = None
    kind: str = Field(default="office", max_length=16)
    rrule: str | None = Field(default=None, max_length=400)
    # schema 0008: RFC 5545 exceptions (planner.model.Appointment)
    exdates: str | None = Field(default=None, max_length=4000)  # "YYYY-MM-DD,..." cancelled occurrences
    series_id: int | None = Field(default=None, foreign_key="appointment.id", index=True)  # the series one occurrence of which this replaces
    recurrence_date: date | None = None  # that occurrence's date
    cancelled_by: str | None = Field(default=None, max_length=16)  # person / practitioner: cancelled


class Absence(Versioned, table=True):
    __tablename__ = "absence"
    __table_args__ = (
        UniqueConstraint("practitioner_pk", "start_date", name="uq_absence_natural"),
        Index("ix_absence_practitioner_dates", "practitioner_pk", "start_date", "end_date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    practitioner_pk: int = Field(foreign_key="practitioner.id")
    start_date: date
    end_date: date | None = None  # schema 0006: NULL is open-ended (docs/words.md)
    kind: str = Field(default="leave", max_length=16)
    cover_practitioner_pk: int | None = Field(default=None, foreign_key="practitioner.id")


class Handover(Versioned, table=True):
    __tablename__ = "handover"
    __table_args__ = (Index("ix_handover_case_status", "case_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    from_practitioner_pk: int = Field(foreign_key="practitioner.id")
    to_practitioner_pk: int = Field(foreign_key="practitioner.id", index=True)
    planned_on: date
    status: str = Field(default="planned", max_length=16)
    reason: str | None = Field(default=None, max_length=400)
    summary: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    completed_on: date | None = None
    override_reason: str | None = Field(default=None, max_length=1000)
    reviewed: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    # schema 0005: who reviewed a cold handover, when and why; a lead's planning override
    reviewed_by: str | None = Field(default=None, max_length=64)
    reviewed_on: date | None = None
    review_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    plan_override_reason: str | None = Field(default=None, max_length=1000)


class HandoverItem(Versioned, table=True):
    __tablename__ = "handover_item"
    __table_args__ = (UniqueConstraint("handover_id", "item_id", name="uq_handover_item"),)
    id: int | None = Field(default=None, primary_key=True)
    handover_id: int = Field(foreign_key="handover.id", index=True)
    item_id: str = Field(max_length=32)
    title: str = Field(max_length=200)
    required: bool = Field(default=True)
    due: date
    owner: str = Field(default="outgoing", max_length=16)
    done: bool = Field(default=False)
    done_on: date | None = None
    done_by: str | None = Field(default=None, max_length=64)
    auto: bool = Field(default=False)  # ticked from data, not by hand
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # schema 0005: the person's view on `told` and `review`, and their words
    view: str | None = Field(default=None, max_length=16)
    view_words: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class SupervisionSession(Versioned, table=True):
    __tablename__ = "supervision_session"
    __table_args__ = (Index("ix_supervision_practitioner_date", "practitioner_pk", "session_date"),)
    id: int | None = Field(default=None, primary_key=True)
    practitioner_pk: int = Field(foreign_key="practitioner.id")
    lead_pk: int | None = Field(default=None, foreign_key="practitioner.id")
    session_date: date
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None


class SupervisionNote(Versioned, table=True):
    __tablename__ = "supervision_note"
    __table_args__ = (UniqueConstraint("session_id", "case_id", name="uq_supervision_note"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="supervision_session.id", index=True)
    case_id: int = Field(foreign_key="case.id")
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reviewed: bool = Field(default=False)
    flagged: bool = Field(default=False)
    warnings_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Action(Versioned, table=True):
    __tablename__ = "action"
    __table_args__ = (Index("ix_action_owner_due", "owner_pk", "due"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int | None = Field(default=None, foreign_key="supervision_session.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="case.id")
    owner_pk: int = Field(foreign_key="practitioner.id")
    text: str = Field(max_length=1000)
    due: date
    done: bool = Field(default=False)
    done_on: date | None = None


class CaseNote(Versioned, table=True):
    __tablename__ = "case_note"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    author_pk: int | None = Field(default=None, foreign_key="practitioner.id")
    written_on: date
    text: str = Field(sa_column=Column(Text, nullable=False))


class AuditEvent(SQLModel, table=True):
    """Append-only: who did what, when, to which record. `detail` holds ids
    and field names, never personal data."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_key"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=64, index=True)
    action: str = Field(max_length=32)
    entity: str = Field(max_length=32)
    entity_key: str = Field(max_length=128)
    case_ref: str | None = Field(default=None, max_length=64, index=True)
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Schema 0004: the database login behind the event (PostgreSQL's
    # session_user, stamped by the database; the OS user on SQLite), and the
    # PostgreSQL transaction that wrote it (empty on SQLite).
    login: str | None = Field(default=None, max_length=63)
    xact: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class DbLogin(SQLModel, table=True):
    """PostgreSQL login -> practitioner (schema 0003). Row-level security
    finds a login's team through it (`caseload server add-login`). Present but
    unused on SQLite."""

    __tablename__ = "db_login"
    login_name: str = Field(primary_key=True, max_length=63)
    practitioner_pk: int = Field(foreign_key="practitioner.id", index=True)


class Meta(SQLModel, table=True):
    """Key/value facts about the file itself (e.g. `built_for` on sample.db)."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=400)
