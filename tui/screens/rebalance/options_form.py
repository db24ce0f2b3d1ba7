"""The rebalance's options (`r` on the team screen, `o` on the rebalance
screen): target % and maximum number of moves, the defaults from the policy."""

from __future__ import annotations

from dataclasses import dataclass

from textual.widgets import Button, Input

from tui.screens.forms.base import Field, FormScreen
from tui.widgets.plain import Static


@dataclass(frozen=True)
class RebalanceChoice:
    target_pct: float
    max_moves: int | None = None  # None: as many as it takes


class RebalanceOptions(FormScreen):
    """Target % and maximum number of moves; returns a RebalanceChoice."""

    title_text = "Rebalance the team"

    def __init__(self, policy, current: RebalanceChoice | None = None) -> None:
        super().__init__(lambda choice: choice)  # nothing to save: the screen solves
        self.default_target = policy.workload.target_pct
        self.current = current or RebalanceChoice(policy.workload.target_pct)

    def fields(self):
        yield Static("Find the moves that bring everyone to at most the target capacity, moving the "
                     "cases whose people lose least. Nothing changes until you apply.",
                     classes="form--hint")
        yield Field("Target %", Input(f"{self.current.target_pct:g}", id="target", compact=True),
                    name="target", hint=f"policy default {self.default_target:g}%")
        yield Field("Max moves", Input("" if self.current.max_moves is None else str(self.current.max_moves),
                                       placeholder="no limit", id="max-moves", compact=True),
                    name="max-moves", hint="blank: as many as it takes")

    def on_mount(self) -> None:
        self.query_one("#save", Button).label = "Solve"
        self.query_one(".form--keys", Static).update("enter or ctrl+s solves · esc cancels")

    def collect(self) -> RebalanceChoice | None:
        ok = True
        raw = self.query_one("#target", Input).value.strip().rstrip("%").strip()
        try:
            target = float(raw)
        except ValueError:
            target = None
        if target is None or not 0 < target <= 1000:
            self.error("target", "Give a percentage above 0, for example 100.")
            ok = False
        raw_moves = self.query_one("#max-moves", Input).value.strip()
        max_moves = None
        if raw_moves:
            if not raw_moves.isdigit() or int(raw_moves) < 1:
                self.error("max-moves", "Give a whole number of moves (1 or more), or leave it blank.")
                ok = False
            else:
                max_moves = int(raw_moves)
        return RebalanceChoice(target, max_moves) if ok else None


__all__ = ["RebalanceChoice", "RebalanceOptions"]
