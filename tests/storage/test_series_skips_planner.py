"""Storage's refusal of a series' later dates (storage/repo/appointments.py
`series_skips`) and the booking form's warning say the same dates with the
same reasons: both are planner.appointments' `booking_dates` and
`refused_days` (the form calls `booking_refusals`). Checked on the shipped
sample for every practitioner, over four months of start days and rules of
every frequency."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session, select

from planner.appointments import booking_dates, refused_days
from planner.calendar import working_days
from storage import models as m
from storage.engine import make_engine
from storage.queries import load_world
from storage.repo.appointments import _nation, series_skips

RULES = ("FREQ=WEEKLY;COUNT=12", "FREQ=WEEKLY;INTERVAL=2", "FREQ=DAILY", "FREQ=MONTHLY;BYDAY=1MO", "FREQ=YEARLY")


def test_series_skips_are_the_planners_refused_days_after_the_first(tmp_path):
    copy = tmp_path / "sample.db"
    shutil.copy(Path(__file__).resolve().parents[2] / "sample.db", copy)
    engine = make_engine(str(copy), create=False)
    compared = refused = 0
    with Session(engine) as s:
        world = load_world(s)
        for p in s.execute(select(m.Practitioner)).scalars():
            holiday_name = working_days(_nation(s, p)).holiday_name
            absences = world.absences.get(p.practitioner_id, [])
            for k in range(0, 120, 3):
                day = date(2026, 11, 2) + timedelta(days=k)
                for rule in RULES:
                    planner_says = [(r.day, r.reason)
                                    for r in refused_days(booking_dates(day, rule)[1:], absences, holiday_name)]
                    assert series_skips(s, p, day, rule) == planner_says, (p.practitioner_id, day, rule)
                    compared += 1
                    refused += bool(planner_says)
    engine.dispose()
    assert compared > 1000 and refused > 100  # the sample's absences and bank holidays were met
