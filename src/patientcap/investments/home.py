"""Invest-first on the home page: for zone staff and auditors the overdue milestones, evidence
awaiting a verdict and the pool's available money; for an enterprise user their own projects."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.core.clock import today
from patientcap.core.home import Card, Contribution, contribution
from patientcap.domain.money import format_wan
from patientcap.investments import selectors
from patientcap.investments.models import Project

ZONE_READERS = {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}


@contribution
def invest_first(user: Any) -> Contribution | None:
    if user.role in ZONE_READERS:
        as_of = today()
        rows = selectors.Rows.readable(user)
        queue = selectors.queue(rows, as_of)
        pool = selectors.pool_figures(rows, as_of)
        return Contribution(
            cards=[
                Card(
                    _("Overdue milestones"),
                    str(len(queue.overdue_milestones)),
                    reverse("investments:queue") + "#overdue",
                ),
                Card(
                    _("Evidence awaiting a verdict"),
                    str(len(queue.awaiting_verdict)),
                    reverse("investments:queue") + "#verdicts",
                ),
                Card(
                    _("Fiscal pool available"),
                    format_wan(pool.available_fen),
                    reverse("investments:pool"),
                ),
            ],
            links=[
                (reverse("investments:pipeline"), _("Invest-first projects")),
                (reverse("investments:queue"), _("Officer's queue")),
                (reverse("investments:pool"), _("Fiscal pool")),
            ],
        )
    if user.role == Role.ENTERPRISE_USER:
        mine = scoping.readable(user, Project)
        return Contribution(
            cards=[
                Card(
                    _("My invest-first projects"),
                    str(mine.count()),
                    reverse("investments:pipeline"),
                )
            ],
            links=[
                (reverse("investments:pipeline"), _("My invest-first projects")),
                (reverse("investments:apply"), _("Apply for invest-first money")),
            ],
        )
    return None
