"""Tiered loans on the home page: a bank or guarantor officer's pending decisions and its book,
the zone's PAR30 and claims to review, an enterprise's own loans."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.core.clock import today
from patientcap.core.home import Card, Contribution, Label, contribution
from patientcap.lending import selectors
from patientcap.lending.models import Application, Claim, Loan
from patientcap.lending.templatetags.lending_tags import pct

OFFICERS = {Role.BANK_OFFICER, Role.GUARANTOR_OFFICER}
ZONE = {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}


@contribution
def tiered_loans(user: Any) -> Contribution | None:
    if user.role not in OFFICERS | ZONE | {Role.ENTERPRISE_USER}:
        return None
    loans = scoping.readable(user, Loan)
    links: list[tuple[str, Label]] = [
        (reverse("lending:queue"), _("Tiered loans: my pending decisions")),
        (reverse("lending:loans"), _("Tiered loans")),
    ]
    if user.role == Role.ENTERPRISE_USER:
        return Contribution(
            cards=[Card(_("My tiered loans"), str(loans.count()), reverse("lending:loans"))],
            links=[(reverse("lending:apply"), _("Apply for a tiered loan")), *links[1:]],
        )
    queue = selectors.pending_decisions(
        user, scoping.readable(user, Application), scoping.readable(user, Claim)
    )
    cards = [Card(_("Tiered loans waiting for my decision"), str(queue.count), links[0][0])]
    report = selectors.par(loans, today())
    cards.append(Card(_("Tiered loans: PAR30"), pct(report.par30), reverse("lending:par")))
    if user.role in ZONE:
        cards.append(
            Card(
                _("Tiered-loan claims to review"),
                str(len(queue.claims_to_review)),
                reverse("lending:queue"),
            )
        )
        links.append((reverse("lending:reports"), _("Tiered-loan reports")))
    links.append((reverse("lending:par"), _("Portfolio at risk")))
    return Contribution(cards=cards, links=links)
