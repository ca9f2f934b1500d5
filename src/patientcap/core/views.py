"""Home pages: one per role, each showing first what that role works on."""

from dataclasses import dataclass, field
from typing import cast

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patientcap.accounts import scoping
from patientcap.accounts.models import Role, User
from patientcap.approvals import selectors as approvals
from patientcap.core.clock import today
from patientcap.core.home import Card, Label, contributions
from patientcap.domain.money import format_wan
from patientcap.enterprises.models import Enterprise
from patientcap.ledger import selectors as ledger

RECENT = 8


@dataclass
class Home:
    heading: Label
    cards: list[Card] = field(default_factory=list)
    enterprises_title: Label = ""
    enterprises: QuerySet | list = field(default_factory=list)
    proposals_title: Label = ""
    proposals: QuerySet | list = field(default_factory=list)
    links: list[tuple[str, Label]] = field(default_factory=list)


def _pool_cards() -> list[Card]:
    on = today()
    return [
        Card(
            _("Fiscal pool cash"),
            format_wan(ledger.balance("fiscal_pool.cash", on)),
            reverse("ledger:books"),
        ),
        Card(
            _("Risk-compensation pool cash"),
            format_wan(ledger.balance("risk_compensation_pool.cash", on)),
            reverse("ledger:books"),
        ),
    ]


def _enterprise_card(user, label) -> Card:
    return Card(
        label, f"{scoping.readable(user, Enterprise).count():,}", reverse("enterprises:list")
    )


def _zone(user) -> Home:
    waiting = approvals.waiting_for(user)
    mine = approvals.proposals(user, tab="mine", status="pending")
    home = Home(
        heading=_("Zone overview"),
        cards=[
            _enterprise_card(user, _("Enterprises in the registry")),
            *_pool_cards(),
            Card(
                _("Waiting for my approval"),
                str(waiting.count()),
                reverse("approvals:list") + "?tab=waiting",
            ),
            Card(
                _("My pending proposals"),
                str(mine.count()),
                reverse("approvals:list") + "?tab=mine",
            ),
        ],
        proposals_title=_("Waiting for my approval"),
        proposals=waiting.order_by("-proposed_at")[:RECENT],
        links=[
            (reverse("enterprises:list"), _("Browse enterprises")),
            (reverse("ledger:books"), _("Fiscal pool ledger")),
            (reverse("policy:parameters"), _("Policy parameters in force")),
            (reverse("policy:calendar"), _("Working-day calendar")),
        ],
    )
    if user.role == Role.ZONE_OFFICER:
        home.links.insert(1, (reverse("enterprises:import"), _("Import enterprises from Excel")))
    return home


def _partner(user) -> Home:
    # Banks and guarantors see the firms that granted their organisation access.
    return Home(
        heading=_("Enterprises shared with %(org)s") % {"org": user.organisation},
        cards=[_enterprise_card(user, _("Enterprises shared with us"))],
        enterprises_title=_("Recently shared"),
        enterprises=scoping.readable(user, Enterprise).order_by("-updated_at")[:RECENT],
        links=[
            (reverse("accounts:tokens"), _("API tokens for our systems")),
            (reverse("policy:parameters"), _("Programme parameters")),
        ],
    )


def _agent(user) -> Home:
    return Home(
        heading=_("My assigned enterprises"),
        cards=[_enterprise_card(user, _("Enterprises assigned to me"))],
        enterprises_title=_("Assigned to me"),
        enterprises=scoping.readable(user, Enterprise).order_by("name")[:RECENT],
    )


def _enterprise(user) -> Home:
    own = scoping.readable(user, Enterprise).order_by("name")
    return Home(
        heading=_("My enterprise"),
        enterprises_title=_("My enterprise"),
        enterprises=own,
        links=[
            (reverse("enterprises:detail", args=[e.pk]), _("Open %(name)s") % {"name": e.name})
            for e in own[:3]
        ],
    )


def _auditor(user) -> Home:
    return Home(
        heading=_("Audit overview"),
        cards=[_enterprise_card(user, _("Enterprises in the registry")), *_pool_cards()],
        links=[
            (reverse("audit:log"), _("Audit trail and chain verification")),
            (reverse("ledger:books"), _("Books and trial balances")),
            (reverse("approvals:list"), _("All approvals")),
        ],
    )


HOMES = {
    Role.ZONE_OFFICER: _zone,
    Role.REVIEWER: _zone,
    Role.BANK_OFFICER: _partner,
    Role.GUARANTOR_OFFICER: _partner,
    Role.SERVICE_AGENT: _agent,
    Role.ENTERPRISE_USER: _enterprise,
    Role.AUDITOR: _auditor,
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    build = HOMES.get(Role(user.role)) if user.role else None
    page = build(user) if build else Home(heading=_("Welcome"))
    for extra in contributions(user):  # each programme's cards and links (its home.py)
        page.cards.extend(extra.cards)
        page.links.extend(extra.links)
    return render(request, "core/home.html", {"home": page})
