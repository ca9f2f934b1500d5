"""The home page warns platform staff and zone officers two months before the working-day
calendar ends, and says nothing before that or to anyone else."""

import datetime as dt

import pytest
from tests.support import make_user

from patientcap.core.home import contributions
from patientcap.policy import home
from patientcap.policy.calendar import official_years

LAST = dt.date(max(official_years()), 12, 31)  # the package's last covered day


def cards(user) -> list:
    return [c for contribution in contributions(user) for c in contribution.cards]


def warning(user) -> list:
    return [c for c in cards(user) if c.url.endswith("/policy/calendar/")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("on", "shown"),
    [(LAST - dt.timedelta(days=61), False), (LAST - dt.timedelta(days=60), True), (LAST, True)],
)
def test_zone_officers_are_warned_two_months_before_the_calendar_ends(monkeypatch, on, shown):
    monkeypatch.setattr(home, "today", lambda: on)
    officer = make_user("officer", "zone_officer", None)
    found = warning(officer)
    assert bool(found) is shown
    if shown:
        assert found[0].figure == LAST.isoformat()


@pytest.mark.django_db
def test_a_day_the_calendar_does_not_cover_is_shown_as_the_end_and_others_see_nothing(
    monkeypatch,
):
    after = LAST + dt.timedelta(days=5)
    monkeypatch.setattr(home, "today", lambda: after)
    staff = make_user("staff", "", None, is_staff=True)
    assert warning(staff)[0].figure == (after - dt.timedelta(days=1)).isoformat()
    assert not warning(make_user("bank", "bank_officer", None))
