"""teams: the team a youth justice team's children move to at 18 (SPEC §11)

Both databases: `team.transition_team_pk`, the adult team a youth justice
team hands its children's cases to when they turn 18 (NULL: none). It is
the administrator's to set (`caseload team link`), like every column of
`team`.

PostgreSQL only (README "Team server"; the app's own rule is
`storage.access.transition_receiver_ids`, which this mirrors):

- `caseload_transition_practitioners()`: the practitioners (not leads) of
  the login's team's transition team;
- a login reads those practitioners' rows (the `practitioner` table: id,
  name, grade, team, and its other columns, the leaving date the planning
  guards read among them), never their cases, notes, allocations or
  absences (those policies are unchanged);
- a handover of a child's case (`case.youth`) the login sees may name one of
  them as its receiver (insert and update of `handover`); every other
  handover still names only practitioners the login sees (schema 0007).

Once planned, the handover makes the receiver's team see the case until it
completes (`caseload_visible_cases()`, schema 0004): nothing changes there.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations import support

revision: str = '0011'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "caseload_practitioner"
FN = "caseload_transition_practitioners"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # ADD COLUMN in place (no copy of the table; the file rebuilds byte for byte)
        op.execute("ALTER TABLE team ADD COLUMN transition_team_pk INTEGER REFERENCES team (id)")
        return
    op.add_column('team', sa.Column('transition_team_pk', sa.Integer(), nullable=True))
    op.create_foreign_key('team_transition_team_pk_fkey', 'team', 'team', ['transition_team_pk'], ['id'])
    _pg_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
        op.drop_constraint('team_transition_team_pk_fkey', 'team', type_='foreignkey')
        op.drop_column('team', 'transition_team_pk')
        return
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_column('transition_team_pk')


def _rules(s: str, *, with_transition: bool) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """(the policies this revision changes, their read rules): the handover's
    insert and update (schema 0007's, and with the transition receivers), and
    the practitioner's read (schema 0004's, and with them)."""
    v0004, v0007 = support.access_v2(), support.revision("0007_column_rules.py")
    handover = v0007._policy_rules(s)["handover"]["insert"]
    people = f"(SELECT unnest({s}.caseload_visible_practitioners()))"
    reads = v0004._policies(s)
    practitioner = reads["practitioner"]["read"]
    if with_transition:
        mine = f"(SELECT unnest({s}.{FN}()))"
        to = f"to_practitioner_pk IN {people}"
        assert to in handover
        handover = handover.replace(to, f"({to} OR (to_practitioner_pk IN {mine}"
                                        f" AND case_id IN (SELECT c.id FROM {s}.\"case\" c WHERE c.youth)))")
        practitioner = f"{practitioner} OR id IN {mine}"
    return ({"handover": {"insert": handover, "update": handover}},
            {"handover": reads["handover"], "practitioner": {"read": practitioner}})


def _create(s: str, *, with_transition: bool) -> None:
    rules, reads = _rules(s, with_transition=with_transition)
    support.revision("0007_column_rules.py")._create_policies(s, rules, reads)
    op.execute(f'DROP POLICY IF EXISTS p_read ON {s}.practitioner')
    op.execute(f'CREATE POLICY p_read ON {s}.practitioner FOR SELECT TO {ROLE}'
               f' USING ({reads["practitioner"]["read"]})')


def _pg_upgrade() -> None:
    s = support.schema()
    op.execute(f"""
        CREATE FUNCTION {s}.{FN}() RETURNS integer[] LANGUAGE sql VOLATILE SECURITY DEFINER {support.pin(s)} AS $fn$
            SELECT coalesce(array_agg(p.id), '{{}}') FROM {s}.practitioner p
            JOIN {s}.team t ON t.transition_team_pk = p.team_pk
            WHERE t.id = {s}.caseload_my_team() AND p.role <> 'team_lead'
        $fn$""")
    op.execute(f"REVOKE ALL ON FUNCTION {s}.{FN}() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {s}.{FN}() TO {ROLE}")
    _create(s, with_transition=True)


def _pg_downgrade() -> None:
    s = support.schema()
    _create(s, with_transition=False)
    op.execute(f"DROP FUNCTION IF EXISTS {s}.{FN}()")
