"""One case's handover: the warm-handover checklist by keys, who does what,
the outgoing practitioner's summary, the three-way meeting, completion.

Keys: space ticks or unticks the highlighted item (`told` and `review` ask
for the person's view first), enter opens its note, ctrl+s saves the
summary, b books the three-way meeting with the incoming practitioner, p
re-plans (another date or receiver, keeping what is done), C completes
(a team lead's override reason when items needed by then are open), v
reviews a cold handover (team leads), X cancels, R reloads, esc goes back.

Items are listed by due date and stay where they are when ticked, so the
cursor never loses the item it was on. Each shows its title, never its id
(docs/handovers.md); an overdue item says `⚠ OVERDUE` (never colour alone); items
the records ticked say "auto". After completion the follow-up
items (due after the completion date: first contact, the four-week
review...) can still be ticked here, and the summary stays editable until
the review is done; the rest is settled (`planner.handover`).

The package holds one screen or modal per module, opened by name
(tui/screens/registry.py): `screen` is the checklist screen, `common` the
wording shared with the team's handover list, and `item_note_form`,
`view_form`, `review_form`, `three_way_form` and `complete_form` its modals.
"""
