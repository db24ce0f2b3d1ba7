"""The case screen's parts (tui/screens/case.py), one module each.

The screen is a composition: `CaseWho` on top, then the parts of
`CaseScreen.PARTS` in the scrolling body, each given the loaded
`tui.data.CaseView` through `CasePart.show_view`. A new part of the case
screen is a module here with a `CasePart` subclass, and one line in
`CaseScreen.PARTS` (docs/ARCHITECTURE.md, "A new part of the case screen").
"""
