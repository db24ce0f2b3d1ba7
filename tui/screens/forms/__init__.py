"""Modal forms: record a contact, book or move an appointment, plan a
handover, add a note, export the week.

Each form is a `ModalScreen` that validates on submit and says what is wrong
next to the field. Saving runs in a thread worker through a `save` callable
handed in by the screen that opened the form (data down); on success the form
dismisses with the saved value, on a refused or failed save it shows a notice
and stays open with everything the user typed kept.

One form per module, opened by name (tui/screens/registry.py); `base` holds
what they share: `FormScreen`, `Field`, and the date and time parsing.
"""
