"""The continuity report as a Markdown pack for heads of service (SPEC §12):
the team's measures by month as a table and as Unicode sparklines in code
blocks (they render in any Markdown viewer, GitHub's and VS Code's among
them, with no script), then each practitioner beside the team."""

from __future__ import annotations

from planner.continuity.report import MEASURE_NAMES, MEASURE_TITLES, ContinuityReport
from planner.continuity.text import NONE, format_value, sparkline, trend

DEFINITIONS = {
    "changes_per_person_year": "allocations other than a case's first started in the month, per case-year held",
    "many_workers": "open cases at month end with 3+ practitioners in the 365 days before",
    "warm_handovers": "handovers completed in the month that were warm, out of all completed",
    "days_to_first_contact": "median working days from an allocation's start to its practitioner's first meaningful contact",
    "early_breaks": "allocations ended in the month under 84 days after they started, after a meaningful contact",
    "continuity_index": "median Bice–Boxerman index of the cases' meaningful contacts in the 365 days to month end (1 = one practitioner)",
    "contact_kept": "meaningful contacts out of all contacts in the month",
    "capacity": "team points / available points at month end",
    "contact_missed": "missed contacts out of all contacts in the month",
    "contact_practitioner_cancelled": "contacts cancelled by the practitioner out of all in the month",
}


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell: no pipe, no line break, no markup start."""
    return " ".join(text.replace("|", "/").split()).replace("<", "‹").replace(">", "›")


def _chart_lines(report: ContinuityReport, name: str) -> list[str]:
    rows = [("team", report.series(name))] + [(pid, report.series(name, pid)) for pid in report.practitioner_ids]
    width = max(len(label) for label, _ in rows)
    lines = []
    for label, values in rows:
        first = next((v for v in values if v is not None), None)
        last = next((v for v in reversed(values) if v is not None), None)
        lines.append(
            f"{label.ljust(width)}  {sparkline(name, values)}  "
            f"{format_value(name, first):>5} → {format_value(name, last):<5}  {trend(name, values)}"
        )
    return lines


def report_markdown(report: ContinuityReport, team_name: str, names: dict[str, str]) -> str:
    """The pack: summary sparklines, the team by month, each measure with
    its practitioners, the last month's figures per practitioner, and the
    definitions. `names`: practitioner id -> name."""
    months = report.months
    span = f"{months[0].month.label} to {months[-1].month.label}" if months else "no months"
    out = [
        f"# Relationship continuity: team {_cell(report.team_id)} ({_cell(team_name)})",
        "",
        f"As of {report.as_of.isoformat()}, by calendar month from {span} "
        f"(the last month ends on the as-of date). `-`: nothing to count.",
        "",
        "## At a glance",
        "",
        "Each chart has one character a month, oldest first; shares and the index on a 0–100% scale.",
        "",
        "```text",
    ]
    width = max(len(MEASURE_TITLES[n]) for n in MEASURE_NAMES)
    for name in MEASURE_NAMES:
        values = report.series(name)
        first = next((v for v in values if v is not None), None)
        last = next((v for v in reversed(values) if v is not None), None)
        out.append(
            f"{MEASURE_TITLES[name].ljust(width)}  {sparkline(name, values)}  "
            f"{format_value(name, first):>5} → {format_value(name, last):<5}  {trend(name, values)}"
        )
    out += ["```", "", "## The team by month", ""]
    out.append("| month | " + " | ".join(MEASURE_TITLES[n] for n in MEASURE_NAMES) + " |")
    out.append("|---|" + "---:|" * len(MEASURE_NAMES))
    for m in months:
        out.append(f"| {m.month.label} | " + " | ".join(format_value(n, getattr(m.team, n)) for n in MEASURE_NAMES) + " |")
    out += ["", "## Practitioners beside the team", ""]
    for name in MEASURE_NAMES:
        out += [f"### {MEASURE_TITLES[name]}", "", "```text", *_chart_lines(report, name), "```", ""]
    if months:
        last = months[-1]
        out += [f"## Practitioners in {last.month.label}", ""]
        out.append("| practitioner | name | " + " | ".join(MEASURE_TITLES[n] for n in MEASURE_NAMES) + " |")
        out.append("|---|---|" + "---:|" * len(MEASURE_NAMES))
        for pid in report.practitioner_ids:
            figures = last.practitioners[pid]
            out.append(f"| {_cell(pid)} | {_cell(names.get(pid, pid))} | "
                       + " | ".join(format_value(n, getattr(figures, n)) for n in MEASURE_NAMES) + " |")
        out.append("")
    out += ["## What each measure counts", ""]
    out += [f"- **{MEASURE_TITLES[n]}**: {DEFINITIONS[n]}." for n in MEASURE_NAMES]
    out += ["", f"Trend: the last three months counted against the first three; "
            f"`steady` within 5 points of the scale; `{NONE}` with under two months counted.", ""]
    return "\n".join(out)


__all__ = ["DEFINITIONS", "report_markdown"]
