"""Evaluations on the home page: zone staff see open and overdue objections and links to batch
scoring, the rule sets and score stability; an enterprise user its own firm's latest tech-card
grade; banks, guarantors and agents a link to the evaluations they may read."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patientcap.accounts.models import Role
from patientcap.core.clock import today
from patientcap.core.home import Card, Contribution, contribution
from patientcap.evaluation import selectors
from patientcap.evaluation.models import ObjectionStatus

CARD = "tech-credit-card"


@contribution
def evaluation(user: Any) -> Contribution | None:
    if not user.is_authenticated or not user.role:
        return None
    index = reverse("evaluation:index")
    links: list[tuple[str, Any]] = [
        (index, _("Evaluations")),
        (reverse("evaluation:rulesets"), _("Scoring rule sets")),
    ]
    cards: list[Card] = []
    objections = selectors.objections(user).filter(status=ObjectionStatus.OPEN)
    if user.role in (Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR):
        url = reverse("evaluation:objections")
        cards += [
            Card(_("Open objections to evaluations"), str(objections.count()), url),
            Card(
                _("Objections past their 20-day answer date"),
                str(objections.filter(due_on__lt=today()).count()),
                url,
            ),
        ]
        links += [
            (reverse("evaluation:batches"), _("Score the registry")),
            (reverse("evaluation:stability"), _("Score stability (PSI)")),
        ]
    elif user.role == Role.ENTERPRISE_USER:
        own = selectors.evaluations(user).filter(ruleset_id=CARD).order_by("-evaluated_on", "-pk")
        latest = own.first()
        if latest is not None:
            cards.append(
                Card(
                    _("Your tech credit card grade"),
                    latest.grade,
                    reverse("evaluation:detail", args=[latest.pk]),
                )
            )
    return Contribution(cards=cards, links=links)
