"""API v1 for equity: cap tables (replayed at a date), rounds, the waterfall at an exit value,
the angel fund's holdings, and proposals of fund actions (investments, rounds, SAFEs and notes,
exits) that a second person approves. Amounts are ints named *_fen plus yuan strings; prices are
fen per share as decimal strings; ownership fractions as decimal strings. Who reads what is
decided by `accounts.scoping` exactly as on the pages (an unreadable enterprise is a 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from patientcap.accounts import scoping
from patientcap.accounts.auth import api_user
from patientcap.approvals import services as approvals
from patientcap.core.clock import today
from patientcap.domain.messages import Invalid
from patientcap.domain.money import yuan
from patientcap.enterprises.models import Enterprise
from patientcap.equity import selectors
from patientcap.equity.models import AngelHolding, Round
from patientcap.equity.scopes import cap_table_enterprises, reads_fund

router = Router(tags=["equity"])


class HoldingOut(Schema):
    holder: str
    share_class: str
    shares: int
    as_converted: int
    invested_fen: int


class ClassOut(Schema):
    name: str
    preferred: bool
    seniority: int
    preference_multiple: str
    participation: str
    cap_multiple: str | None
    anti_dilution: str
    original_issue_price: str
    conversion_price: str


class CapTableOut(Schema):
    enterprise_id: int
    as_of: dt.date
    exited: bool
    fully_diluted: int
    issued_as_converted: int
    pool_granted: int
    pool_unallocated: int
    classes: list[ClassOut]
    holdings: list[HoldingOut]
    ownership: dict[str, str]  # holder -> fraction of fully diluted (sums to 1 exactly)


class RoundOut(Schema):
    id: int
    on: dt.date
    series: str
    pre_money_fen: int
    new_money_fen: int
    price_per_share: str
    pool_target: str | None
    pool_increase: int
    shares_issued: int
    fully_diluted_post: int
    residue_fen: str
    down_round: bool
    adjustments: list[dict]

    @staticmethod
    def resolve_price_per_share(obj: Round) -> str:
        return str(obj.price_per_share)

    @staticmethod
    def resolve_pool_target(obj: Round) -> str | None:
        return None if obj.pool_target is None else str(obj.pool_target)

    @staticmethod
    def resolve_residue_fen(obj: Round) -> str:
        return str(obj.residue_fen)


class ClassPayoutOut(Schema):
    share_class: str
    converted: bool
    preference_fen: int
    participation_fen: int


class WaterfallOut(Schema):
    enterprise_id: int
    as_of: dt.date
    exit_fen: int
    exit: str
    payouts_fen: dict[str, int]
    by_class: list[ClassPayoutOut]


class AngelHoldingOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    holder: str
    kind: str
    status: str
    opened_on: dt.date
    invested_fen: int
    invested: str
    shares: int
    value_fen: int
    latest_price_per_share: str | None
    exit_route: str
    exit_horizon_years: int
    target_multiple: str
    next_round_expected_on: dt.date | None
    next_round_expected_fen: int | None
    rounds_since: int
    review_due_since: dt.date | None
    exited_on: dt.date | None
    returned_fen: int
    last_review: str


class ProposeIn(Schema):
    payload: dict[str, Any]
    reason: str


class ProposalOut(Schema):
    id: int
    action: str
    status: str
    summary: str


class RefusalOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


REFUSALS = {403: RefusalOut, 409: RefusalOut, 422: RefusalOut}
PROPOSABLE = {
    "angel-investments": "equity.angel_invest",
    "angel-exits": "equity.angel_exit",
    "rounds": "equity.record_round",
    "instruments": "equity.issue_instrument",
    "cap-tables": "equity.open_cap_table",
}


def _enterprise(request: HttpRequest, enterprise_id: int) -> Enterprise:
    user = api_user(request)
    readable = scoping.readable(user, Enterprise).filter(cap_table_enterprises(user))
    return get_object_or_404(readable, pk=enterprise_id)


@router.get(
    "/enterprises/{enterprise_id}/cap-table",
    response=CapTableOut,
    summary="An enterprise's cap table at a date, rebuilt from its events",
)
def cap_table(request: HttpRequest, enterprise_id: int, as_of: dt.date | None = None) -> Any:
    enterprise = _enterprise(request, enterprise_id)
    as_of = as_of or today()
    try:
        view = selectors.table_view(enterprise.pk, as_of)
    except selectors.NoCapTable as exc:
        raise HttpError(404, str(exc)) from None
    t = view.table
    return {
        "enterprise_id": enterprise.pk,
        "as_of": as_of,
        "exited": view.exited,
        "fully_diluted": t.fully_diluted,
        "issued_as_converted": t.issued_as_converted,
        "pool_granted": t.pool.granted,
        "pool_unallocated": t.pool.unallocated,
        "classes": [
            {
                "name": c.name,
                "preferred": c.preferred,
                "seniority": c.seniority,
                "preference_multiple": str(c.preference_multiple),
                "participation": c.participation.value,
                "cap_multiple": None if c.cap_multiple is None else str(c.cap_multiple),
                "anti_dilution": c.anti_dilution.value,
                "original_issue_price": str(c.original_issue_price),
                "conversion_price": str(c.conversion_price),
            }
            for c in t.classes
        ],
        "holdings": [row.__dict__ for row in view.rows],
        "ownership": {k: str(v) for k, v in view.ownership.fully_diluted.items()},
    }


@router.get(
    "/enterprises/{enterprise_id}/rounds",
    response=list[RoundOut],
    summary="An enterprise's priced rounds",
)
def rounds(request: HttpRequest, enterprise_id: int) -> Any:
    enterprise = _enterprise(request, enterprise_id)
    return scoping.readable(api_user(request), Round).filter(enterprise=enterprise)


@router.get(
    "/enterprises/{enterprise_id}/waterfall",
    response=WaterfallOut,
    summary="What each holder would receive at an exit of exit_fen",
)
def waterfall(
    request: HttpRequest, enterprise_id: int, exit_fen: int, as_of: dt.date | None = None
) -> Any:
    enterprise = _enterprise(request, enterprise_id)
    as_of = as_of or today()
    try:
        result = selectors.payout_table(enterprise.pk, exit_fen, as_of)
    except selectors.NoCapTable as exc:
        raise HttpError(404, str(exc)) from None
    except Invalid as exc:
        raise HttpError(422, str(exc)) from None
    return {
        "enterprise_id": enterprise.pk,
        "as_of": as_of,
        "exit_fen": exit_fen,
        "exit": yuan(exit_fen),
        "payouts_fen": result.payouts,
        "by_class": [p.__dict__ for p in result.by_class],
    }


@router.get(
    "/angel-holdings",
    response=list[AngelHoldingOut],
    summary="The angel fund's holdings with exit plans and next-round trackers",
)
def angel_holdings(request: HttpRequest, as_of: dt.date | None = None) -> Any:
    user = api_user(request)
    if not reads_fund(user):
        raise HttpError(403, "The angel fund's books are for zone staff and auditors.")
    as_of = as_of or today()
    out = []
    holdings = list(scoping.readable(user, AngelHolding).select_related("enterprise"))
    for h, line in zip(holdings, selectors.holding_lines(holdings, as_of), strict=True):
        out.append(
            {
                "id": h.pk,
                "enterprise_id": h.enterprise_id,
                "enterprise": h.enterprise.name,
                "holder": h.holder,
                "kind": h.kind,
                "status": h.status,
                "opened_on": h.opened_on,
                "invested_fen": line.invested_fen,
                "invested": yuan(line.invested_fen),
                "shares": line.shares,
                "value_fen": line.value_fen,
                "latest_price_per_share": None
                if line.latest_price is None
                else str(line.latest_price),
                "exit_route": h.exit_route,
                "exit_horizon_years": h.exit_horizon_years,
                "target_multiple": str(h.target_multiple),
                "next_round_expected_on": h.next_round_expected_on,
                "next_round_expected_fen": h.next_round_expected_fen,
                "rounds_since": line.rounds_since,
                "review_due_since": h.review_due_since,
                "exited_on": h.exited_on,
                "returned_fen": h.returned_fen,
                "last_review": line.last_review,
            }
        )
    return out


def _proposer(action: str) -> Any:
    def propose(request: HttpRequest, data: ProposeIn) -> Any:
        try:
            proposal = approvals.propose(
                action=action, payload=data.payload, reason=data.reason, by=api_user(request)
            )
        except approvals.ProposalRefused as exc:
            return Status(exc.status_code, {"detail": exc.message, "errors": exc.errors})
        return Status(201, proposal)

    propose.__name__ = f"propose_{action.removeprefix('equity.')}"
    return propose


for _path, _action in PROPOSABLE.items():
    router.post(
        f"/proposals/{_path}",
        response={201: ProposalOut, **REFUSALS},
        summary=f"Propose {_action} (a second person of the fund approves it)",
    )(_proposer(_action))
