"""Who may see and change what: the one place that decides (README, Team server).

Every command, every screen and every write in `storage` asks the check
functions below; PostgreSQL's row-level security and column rules (schemas
0004 and 0007, storage/migrations/versions/) enforce the same rules for
a practitioner's own login, whatever client it uses. README "Team server"
says what is guaranteed and how it is tested.

Who is acting (`sign_in`): identity comes from how someone signed in,
never from a key press.

- On PostgreSQL a login mapped to a practitioner (`caseload server
  add-login`) acts only as that practitioner: `--as` may be left out and
  any other `--as` is refused. Only a login that owns the caseload tables
  (or a superuser) administers: without `--as` it is the administrator,
  with `--as` it acts as that practitioner. Any other login is refused.
- On SQLite `--as PRACTITIONER_ID` names the practitioner; without it the
  OS user, who owns the file, is the administrator (they could open it
  with any tool anyway), and the app lets them switch to anyone.

What an `Actor` may do:

| action                                   | who                                                    | check here                       |
|------------------------------------------|--------------------------------------------------------|----------------------------------|
| see or change a case and what hangs off it | its team; while a handover is open, the outgoing and the incoming practitioner's teams too | `check_case_access`, `guard_case`, `visible_case_refs` |
| see a restricted case (§11)              | only its current practitioner, the receiver of its open handover and its team's leads | `restricted_filter` (in all of the above, and in every caseload read) |
| restrict a case or lift it               | a lead of the case's team                              | `check_restrict`                 |
| name a handover's receiver               | someone the actor sees (a lead too); for a child's case, a non-lead of their team's transition team (§11) | `check_receiver`, `transition_receiver_ids` |
| allocate a case                          | to someone the actor sees; to one of another team, a team lead, or completing the handover to them; only while the actor still sees the case afterwards (their team's, or a side of its open handover; a restricted one as a lead of its new team or its receiver) | `check_allocate`                 |
| move a case to another team (`update_case`) | a team lead, to any team                           | `require_lead`                   |
| record a contact/appointment by someone, name a second practitioner at a contact | a practitioner of one of the case's teams | `check_case_practitioner` |
| cancel or move an appointment (one occurrence or a series), record what happened at it | as for the case (its team; the contact recorded by its practitioner) | `guard_case` |
| book or move onto a bank holiday or an absence day | the case's team lead, with an override reason (audited) | `require_lead` |
| write a case note                        | in one's own name                                      | `note_author`                    |
| complete a handover with an override     | the case's team lead                                   | `check_override`                 |
| see a team as a whole, a colleague's week| the team                                               | `check_team_visible`, `check_practitioner_visible` |
| apply a rebalance, plan a leaver's cases | the team's lead                                        | `require_lead`                   |
| read supervision records (actions too)   | the practitioner, and their team's lead                | `check_supervision_access`, `reads_supervision_of` |
| run a session, write its notes, reviews  | the practitioner's team lead, on the team's cases      | `check_supervision_lead`, `check_supervision_case` |
| agree an action                          | the owner (their own), or the owner's team lead        | `check_action_add`               |
| tick an action                           | its owner, or the owner's team lead                    | `check_action_tick`              |
| import, backup, restore, copy, logins    | the administrator only                                 | `require_admin`                  |
| export, the audit trail, the palette     | everyone, limited to what they see                     | `visible_case_refs`, `visible_practitioner_ids`, `audit_scope` |

The administrator (no `--as` on their own file, or the owner's login) may
do everything. The write functions in `storage.repo` call
`guard_case(session, actor, case_ref)` with the audit actor string they
were given (`actor_for`): a string naming a practitioner is that
practitioner; anything else is the administrator, except on a
practitioner's own PostgreSQL login, where it is always that practitioner.

A case belongs to the team in `case.team_pk`; a case with no team belongs
to the team of the practitioner it is allocated to (if any).
"""

from __future__ import annotations

from storage.column_rules import COLUMN_RULES, changeable_columns
from storage.access.actors import (
    Actor,
    actor_for,
    ADMIN,
    ADMIN_ROLE,
    database_login,
    LEAD_ROLE,
    Login,
    require_admin,
    resolve_actor,
    sign_in,
    SignIn,
)
from storage.access.cases import (
    can_see_case,
    case_team_id,
    check_allocate,
    check_case_access,
    check_case_edit,
    check_case_practitioner,
    check_checkin,
    check_not_with,
    check_receiver,
    guard_case,
    handover_teams,
    note_author,
    practitioner_team_id,
    restricted_filter,
    transition_receiver_ids,
    visible_case_refs,
    visible_practitioner_ids,
    visible_team,
)
from storage.access.teams import (
    check_override,
    check_practitioner_visible,
    check_restrict,
    check_team_visible,
    require_lead,
)
from storage.access.supervision import (
    check_action_add,
    check_action_tick,
    check_supervision_access,
    check_supervision_case,
    check_supervision_lead,
    reads_supervision_of,
)
from storage.access.audit_scope import (
    audit_scope,
)

__all__ = [
    "ADMIN",
    "Actor",
    "COLUMN_RULES",
    "Login",
    "SignIn",
    "actor_for",
    "audit_scope",
    "can_see_case",
    "case_team_id",
    "changeable_columns",
    "check_action_add",
    "check_action_tick",
    "check_allocate",
    "check_case_access",
    "check_case_edit",
    "check_case_practitioner",
    "check_checkin",
    "check_not_with",
    "check_override",
    "check_restrict",
    "check_practitioner_visible",
    "check_receiver",
    "check_supervision_access",
    "check_supervision_case",
    "check_supervision_lead",
    "check_team_visible",
    "database_login",
    "guard_case",
    "handover_teams",
    "note_author",
    "practitioner_team_id",
    "reads_supervision_of",
    "require_admin",
    "require_lead",
    "resolve_actor",
    "restricted_filter",
    "sign_in",
    "transition_receiver_ids",
    "visible_case_refs",
    "visible_practitioner_ids",
    "visible_team",
]
