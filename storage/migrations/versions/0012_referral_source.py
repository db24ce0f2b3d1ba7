"""cases: where the referral came from (throwaway)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations import support

revision: str = '0012'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CASE_BEFORE = ("version", "display_name", "tier", "contact_level", "youth", "date_of_birth", "flags", "status",
                "paused_until", "team_pk", "language", "interpreter", "sentence", "sentence_end", "release_on",
                "rosh", "mappa_level", "restricted")
_CASE_CHANGES = (*_CASE_BEFORE, "referral_source")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute('ALTER TABLE "case" ADD COLUMN referral_source VARCHAR(64)')
        return
    op.add_column('case', sa.Column('referral_source', sa.String(length=64), nullable=True))
    support.guard_columns(support.schema(), "case", _CASE_CHANGES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        support.guard_columns(support.schema(), "case", _CASE_BEFORE)
        op.drop_column('case', 'referral_source')
        return
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('referral_source')
