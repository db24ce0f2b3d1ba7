"""Small pickers: who you are (first run, or switching), a rule to filter by,
a case to book for. Each is a `ModalScreen` that dismisses with the choice
(or None on escape).

One picker per module, opened by name (tui/screens/registry.py): `screen`
is the general one the others build on.
"""
