"""Supervision: a team lead and a practitioner walk the caseload together,
one keyboard, one case at a time (issue 7).

The session starts (or the open one resumes) when the screen opens. First
comes an overview with the actions carried forward from earlier sessions,
then the queue in `planner.supervision.review_queue` order: flagged for
discussion, cold handovers, new relationships, then risk. Each case shows
its warnings, continuity chain, contact timeline and open handover beside
a note; reflective prompts cycle in a strip and can be pinned to the note.

Keys (all listed by `?`): n / b (j / k, → / ←) next / previous case, u next
not yet reviewed, enter write the note (esc finishes, ctrl+s saves; leaving
the case saves too), r next prompt, i pin it, f flag, x reviewed, A agree an
action, e export the record, E end the session, o open the full case, L read
earlier sessions' records.

Every write goes through one queue, in order, in a thread worker; each
save sends the note version last seen, so a note changed elsewhere is
refused (ConflictError): the typed text stays, a notice says so, and the
next ctrl+s saves it over the other.

The package holds one screen or modal per module, opened by name
(tui/screens/registry.py): `opening` checks who may lead and picks the
practitioner, `screen` is the session itself, `rendering` and `jobs` its
drawing and its write queue, `session_actions` the keys that change the
session or open a modal; `action_form`, `record_path_form` and `record` are
the modals.
"""
