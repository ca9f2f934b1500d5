"""Matched credit on the home page: a bank officer's files due and overdue, the zone's open
files, overdue ones and the amount disbursed, an enterprise's own files."""

from typing import Any

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.core.clock import today
from patientcap.core.home import Card, Contribution, Label, contribution
from patientcap.domain.money import format_wan
from patientcap.matching import selectors
from patientcap.matching.models import Application
from patientcap.policy.calendar import working_calendar


@contribution
def matched_credit(user: Any) -> Contribution | None:
    if user.role not in (
        Role.BANK_OFFICER,
        Role.ZONE_OFFICER,
        Role.REVIEWER,
        Role.AUDITOR,
        Role.ENTERPRISE_USER,
    ):
        return None
    qs = scoping.readable(user, Application)
    links: list[tuple[str, Label]] = [
        (reverse("matching:applications"), _("Matched-credit applications"))
    ]
    if user.role == Role.ENTERPRISE_USER:
        links.append((reverse("matching:apply"), _("Apply for matched credit")))
        return Contribution(
            cards=[
                Card(
                    _("My matched-credit files"), str(qs.count()), reverse("matching:applications")
                )
            ],
            links=links,
        )
    rows = selectors.queue(qs, working_calendar(), today())
    due = [r for r in rows if r.clock.running]
    overdue = sum(r.clock.overdue for r in rows)
    queue_url = reverse("matching:queue")
    links = [
        (queue_url, _("Matched credit: pending decisions")),
        *links,
        (reverse("matching:sla"), _("Matched credit: SLA report")),
    ]
    if user.role == Role.BANK_OFFICER:
        cards = [
            Card(_("Matched-credit files due"), str(len(due)), queue_url),
            Card(_("Matched-credit files overdue"), str(overdue), queue_url),
        ]
    else:
        disbursed = qs.aggregate(s=Sum("disbursed_fen"))["s"] or 0
        cards = [
            Card(_("Matched-credit files open"), str(len(rows)), queue_url),
            Card(_("Matched-credit files overdue"), str(overdue), queue_url),
            Card(
                _("Matched credit disbursed"), format_wan(int(disbursed)), reverse("matching:sla")
            ),
        ]
    return Contribution(cards=cards, links=links)
