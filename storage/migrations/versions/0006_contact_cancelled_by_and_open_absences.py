"""contacts' cancelled_by and with_practitioner_pk; absences with no end date

Rules v2 (docs/rules.md) read who cancelled a cancelled contact
(`practitioner_cancelled`), a second practitioner present at a contact (the
incoming one at a three-way meeting: `first_contact`, `cold_handover`, the
checklist's `three_way` item), and absences with no end date yet (an
open-ended sickness: `handover_unplanned`, `cover_needed`).

- `contact.cancelled_by`: NULL, `person` or `practitioner`;
- `contact.with_practitioner_pk`: NULL or a practitioner;
- `absence.end_date`: NULL is open-ended.

No new table, so no new grants or row-level security: the columns belong to
tables that have both since 0003. Downgrading gives every open-ended absence
an end date a year after its start (the old schema cannot say "no end date").

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite cannot drop NOT NULL in place: absence is rebuilt (the twelve steps
# of sqlite.org/lang_altertable.html), from DDL written out here so the file
# comes out the same byte for byte every time (a batch recreate lists the
# foreign keys in a different order from run to run, and the shipped sample
# must rebuild identically: tests/storage/test_sample.py).
_SQLITE_ABSENCE = """CREATE TABLE {name} (
\tversion INTEGER NOT NULL, 
\tid INTEGER NOT NULL, 
\tpractitioner_pk INTEGER NOT NULL, 
\tstart_date DATE NOT NULL, 
\tend_date DATE{end_null}, 
\tkind VARCHAR(16) NOT NULL, 
\tcover_practitioner_pk INTEGER, 
\tPRIMARY KEY (id), 
\tCONSTRAINT uq_absence_natural UNIQUE (practitioner_pk, start_date), 
\tFOREIGN KEY(cover_practitioner_pk) REFERENCES practitioner (id), 
\tFOREIGN KEY(practitioner_pk) REFERENCES practitioner (id)
)"""
_ABSENCE_COLUMNS = "version, id, practitioner_pk, start_date, end_date, kind, cover_practitioner_pk"


def _sqlite_rebuild_absence(end_nullable: bool) -> None:
    op.execute(_SQLITE_ABSENCE.format(name="_absence_0006", end_null="" if end_nullable else " NOT NULL"))
    op.execute(f"INSERT INTO _absence_0006 ({_ABSENCE_COLUMNS}) SELECT {_ABSENCE_COLUMNS} FROM absence")
    op.execute("DROP TABLE absence")
    op.execute("ALTER TABLE _absence_0006 RENAME TO absence")
    op.execute("CREATE INDEX ix_absence_practitioner_dates ON absence (practitioner_pk, start_date, end_date)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # ADD COLUMN in place: no copy of a million contacts
        op.execute("ALTER TABLE contact ADD COLUMN cancelled_by VARCHAR(16)")
        op.execute("ALTER TABLE contact ADD COLUMN with_practitioner_pk INTEGER REFERENCES practitioner (id)")
        _sqlite_rebuild_absence(end_nullable=True)
        return
    op.add_column('contact', sa.Column('cancelled_by', sa.String(length=16), nullable=True))
    op.add_column('contact', sa.Column('with_practitioner_pk', sa.Integer(), nullable=True))
    op.create_foreign_key('fk_contact_with_practitioner_pk_practitioner',
                          'contact', 'practitioner', ['with_practitioner_pk'], ['id'])
    op.alter_column('absence', 'end_date', existing_type=sa.Date(), nullable=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE absence SET end_date = date(start_date, '+365 days') WHERE end_date IS NULL")
        _sqlite_rebuild_absence(end_nullable=False)
        with op.batch_alter_table('contact', schema=None) as batch_op:
            batch_op.drop_column('with_practitioner_pk')
            batch_op.drop_column('cancelled_by')
        return
    op.execute("UPDATE absence SET end_date = start_date + 365 WHERE end_date IS NULL")
    op.alter_column('absence', 'end_date', existing_type=sa.Date(), nullable=False)
    op.drop_constraint('fk_contact_with_practitioner_pk_practitioner', 'contact', type_='foreignkey')
    op.drop_column('contact', 'with_practitioner_pk')
    op.drop_column('contact', 'cancelled_by')
