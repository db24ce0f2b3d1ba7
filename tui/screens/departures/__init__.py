"""Plan a departure (a practitioner who leaves or goes on a long absence):
one screen or modal per module, opened by name (tui/screens/registry.py):
`screen` is the planning list, `date_form` the date of one row."""
