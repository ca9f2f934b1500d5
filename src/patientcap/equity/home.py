"""The equity part of the home page: for zone staff and auditors, the angel fund's holdings and
the reviews due; for everyone who may read a cap table, a link to the cap tables."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patientcap.accounts import scoping
from patientcap.core.clock import today
from patientcap.core.home import Card, Contribution, Label, contribution
from patientcap.domain.money import format_wan
from patientcap.equity import selectors
from patientcap.equity.models import AngelHolding
from patientcap.equity.scopes import CAP_TABLE_READERS, reads_fund


@contribution
def angel_fund(user: Any) -> Contribution | None:
    if not user.is_authenticated:
        return None
    links: list[tuple[str, Label]] = [(reverse("equity:index"), _("Cap tables"))]
    if not reads_fund(user):
        return Contribution(links=links) if user.role in CAP_TABLE_READERS else None
    on = today()
    holdings = list(scoping.readable(user, AngelHolding).filter(opened_on__lte=on))
    f = selectors.fund_figures(selectors.holding_lines(holdings, on), on)
    fund = reverse("equity:fund")
    return Contribution(
        cards=[
            Card(_("Angel fund holdings"), str(f.holdings_active), fund),
            Card(_("Angel fund invested"), format_wan(f.invested_fen), fund),
            Card(_("Holdings with reviews due"), str(f.reviews_due), fund),
        ],
        links=[*links, (fund, _("Angel fund portfolio"))],
    )
