"""Valuations on the home page: for zone staff, the number of current valuations, those awaiting
a written approval and stale assessments, with links to the list."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patientcap.accounts.models import Role
from patientcap.core.clock import today
from patientcap.core.home import Card, Contribution, contribution
from patientcap.valuations import selectors


@contribution
def valuations(user: Any) -> Contribution | None:
    if user.role not in (Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR):
        return None
    url = reverse("valuations:index")
    current = selectors.readable_current(user)
    awaiting = sum(
        1 for v in current.filter(state_outcome="needs_approval") if v.needs_written_approval
    )
    return Contribution(
        cards=[
            Card(_("Valuations"), str(current.count()), url),
            Card(_("Valuations awaiting written approval"), str(awaiting), url),
            Card(
                _("Stale state-asset assessments"),
                str(selectors.stale_assessments(user, today()).count()),
                url,
            ),
        ],
        links=[(url, _("Valuations"))],
    )
