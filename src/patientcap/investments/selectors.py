"""Reading the invest-first programme: projects by stage, a project's timeline, the officer's
queue, the revolving pool (invested, returned, written off, committed, available) at any date and
over time, and the portfolio's fund metrics (XIRR, DPI, TVPI, RVPI, MOIC) and loss ratio by
vintage, computed by `domain.metrics`.

These functions take querysets or ids that the caller already scoped through
`accounts.scoping` where a user is involved; the pool and portfolio figures are the zone's own
(zone staff and auditors only).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from patientcap.domain.money import format_yuan
from patientcap.investments.models import Project, Tranche


# --- For the other programmes (matched credit) -------------------------------------------------
def public_investment_fen(enterprise_id: int, on: dt.date) -> int:
    """Invest-first money paid to the firm on or before `on` and, on that date, neither written
    off nor exited: the public investment that matched credit may match 1:1."""
    paid = (
        Tranche.objects.filter(
            agreement__project__enterprise_id=enterprise_id, disbursed_on__lte=on
        )
        .exclude(agreement__project__write_off__written_off_on__lte=on)
        .exclude(agreement__project__exit__exited_on__lte=on)
        .aggregate(total=Sum("amount_fen"))["total"]
    )
    return int(paid or 0)


def diligence_package(enterprise_id: int) -> list[dict]:
    """What the zone's diligence on the firm produced, for a bank deciding matched credit: each
    project's reviews, committee decision, agreement and diligence reviews, oldest first, as
    {"title", "url", "date"} (the url opens the project page at that item)."""
    items: list[dict] = []
    projects = (
        Project.objects.filter(enterprise_id=enterprise_id)
        .select_related("decision", "agreement")
        .prefetch_related("reviews", "diligence")
        .order_by("applied_on", "pk")
    )
    for project in projects:
        url = reverse("investments:project", args=[project.pk])
        for review in project.reviews.all():
            items.append(
                {
                    "title": _("%(project)s: review, score %(score)s")
                    % {"project": project.title, "score": review.score},
                    "url": f"{url}#review-{review.pk}",
                    "date": review.reviewed_on,
                }
            )
        decision = getattr(project, "decision", None)
        if decision is not None:
            verdict = _("approved") if decision.approved else _("rejected")
            items.append(
                {
                    "title": _("%(project)s: committee decision (%(verdict)s)")
                    % {"project": project.title, "verdict": verdict},
                    "url": f"{url}#decision",
                    "date": decision.decided_on,
                }
            )
        agreement = getattr(project, "agreement", None)
        if agreement is not None:
            items.append(
                {
                    "title": _("%(project)s: invest-first agreement, %(amount)s")
                    % {"project": project.title, "amount": format_yuan(agreement.amount_fen)},
                    "url": f"{url}#agreement",
                    "date": agreement.signed_on,
                }
            )
        for review in project.diligence.all():
            items.append(
                {
                    "title": _("%(project)s: diligence review") % {"project": project.title},
                    "url": f"{url}#diligence-{review.pk}",
                    "date": review.reviewed_on,
                }
            )
    items.sort(key=lambda item: item["date"])
    return items
