"""Equity pages: the cap tables an user may read (with ownership charts and the round history),
the waterfall calculator, the fund staff's proposal forms (open a table, a round, a SAFE or
note), and the angel fund's portfolio with each holding's exit plan, next-round tracker and
reviews. Querysets come from `accounts.scoping` only; an enterprise whose cap table the user may
not read is a 404, a fund page for someone outside the fund a 403."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from patientcap.accounts import scoping
from patientcap.approvals import rules
from patientcap.approvals.registry import get_action
from patientcap.approvals.services import ProposalRefused, propose
from patientcap.core.clock import today
from patientcap.domain.captable import POOL_GRANTED, POOL_UNALLOCATED, CapTableError
from patientcap.domain.messages import Invalid
from patientcap.domain.money import AmountError, parse_amount
from patientcap.enterprises.models import Enterprise
from patientcap.enterprises.validation import explain
from patientcap.equity import forms, selectors, services
from patientcap.equity.models import (
    AngelHolding,
    CapTableEvent,
    Conversion,
    EventKind,
    Instrument,
    Round,
    Transfer,
)
from patientcap.equity.scopes import cap_table_enterprises, reads_fund


def readable_enterprises(user: Any) -> QuerySet[Enterprise]:
    """The enterprises whose cap table `user` may read."""
    return scoping.readable(user, Enterprise).filter(cap_table_enterprises(user))


def _enterprise(user: Any, pk: int) -> Enterprise:
    return get_object_or_404(readable_enterprises(user), pk=pk)


def may_propose(user: Any, action: str) -> bool:
    spec = get_action(action)
    return spec is not None and rules.refusal_to_propose(user, spec) is None


def _require_maker(user: Any, action: str) -> None:
    if not may_propose(user, action):
        raise PermissionDenied


def _as_of(request: HttpRequest) -> tuple[dt.date, str | None]:
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return today(), None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        return today(), _("%(value)s is not a date (YYYY-MM-DD); today is shown.") % {"value": raw}
    return value, None


def _refused(form: Any, exc: ProposalRefused) -> None:
    for field, problems in exc.errors.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
    if not exc.errors:
        form.add_error(None, exc.message)


def _propose(request: HttpRequest, form: Any, action: str, payload: dict) -> HttpResponse | None:
    try:
        proposal = propose(
            action=action, payload=payload, reason=form.cleaned_data["reason"], by=request.user
        )
    except ProposalRefused as exc:
        _refused(form, exc)
        return None
    messages.success(request, _("Proposed. It takes effect when another person approves it."))
    return redirect("approvals:detail", proposal.pk)


def _pool_label(holder: str) -> str:
    return {POOL_GRANTED: _("Option pool (granted)"), POOL_UNALLOCATED: _("Option pool")}.get(
        holder, holder
    )


# --- cap tables ----------------------------------------------------------------------------------
@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    opened = scoping.readable(user, CapTableEvent).filter(kind=EventKind.OPEN)
    firms = readable_enterprises(user).filter(pk__in=opened.values("enterprise_id"))
    firms = firms.order_by("name")
    rounds = {
        r["enterprise_id"]: r
        for r in scoping.readable(user, Round)
        .filter(enterprise__in=firms)
        .order_by("enterprise_id", "on")
        .values("enterprise_id", "series", "on", "price_per_share")
    }
    return render(
        request,
        "equity/index.html",
        {
            "firms": [(f, rounds.get(f.pk)) for f in firms],
            "reads_fund": reads_fund(request.user),
        },
    )


@login_required
def cap_table(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = _enterprise(user, pk)
    as_of, error = _as_of(request)
    context: dict[str, Any] = {
        "enterprise": enterprise,
        "as_of": as_of,
        "error": error,
        "may_open": may_propose(user, "equity.open_cap_table"),
        "may_round": may_propose(user, "equity.record_round"),
    }
    try:
        view = selectors.table_view(enterprise.pk, as_of)
    except selectors.NoCapTable:
        return render(request, "equity/cap_table.html", context)
    owned = view.ownership.fully_diluted
    holders: dict[str, dict[str, Any]] = {}
    for row in view.rows:
        h = holders.setdefault(
            row.holder, {"holder": row.holder, "rows": [], "as_converted": 0, "invested_fen": 0}
        )
        h["rows"].append(row)
        h["as_converted"] += row.as_converted
        h["invested_fen"] += row.invested_fen
    for name, h in holders.items():
        h["percent"] = owned.get(name, Decimal(0)) * 100
    pool = view.table.pool
    context |= {
        "view": view,
        "holders": list(holders.values()),
        "pool": pool,
        "pool_percent": (owned.get(POOL_UNALLOCATED, Decimal(0)) + owned.get(POOL_GRANTED, 0))
        * 100,
        "classes": view.table.classes,
        "pie": [
            {"name": _pool_label(name), "value": str((share * 100).quantize(Decimal("0.01")))}
            for name, share in owned.items()
        ],
        "over_rounds": _over_rounds(enterprise.pk, as_of),
        "rounds": _rows(user, Round, enterprise, on__lte=as_of),
        "instruments": _rows(user, Instrument, enterprise, issued_on__lte=as_of),
        "conversions": _rows(user, Conversion, enterprise, on__lte=as_of),
        "transfers": _rows(user, Transfer, enterprise, on__lte=as_of),
        "exit": getattr(enterprise, "exit", None) if view.exited else None,
    }
    return render(request, "equity/cap_table.html", context)


def _rows(user: Any, model: Any, enterprise: Enterprise, **lookup: Any) -> QuerySet:
    return scoping.readable(user, model).filter(enterprise=enterprise, **lookup)


def _over_rounds(enterprise_id: int, as_of: dt.date) -> dict:
    data = selectors.ownership_over_rounds(enterprise_id, as_of)
    data["series"] = {_pool_label(k): v for k, v in data["series"].items()}
    return data


@login_required
def waterfall(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise(request.user, pk)
    form = forms.WaterfallForm(request.GET or None)
    context: dict[str, Any] = {"enterprise": enterprise, "form": form}
    if form.is_valid():
        as_of = form.cleaned_data["as_of"] or today()
        try:
            exit_fen = parse_amount(form.cleaned_data["exit_yuan"])
            table = selectors.cap_table(enterprise.pk, as_of)
            result = selectors.payout_table(enterprise.pk, exit_fen, as_of)
        except AmountError:
            form.add_error("exit_yuan", _("Give the amount in yuan, e.g. 2000000.00 or 200万."))
        except Invalid as exc:
            form.add_error(None, explain(exc.message))
        else:
            classes = {c.name: c for c in table.classes}
            stack = [
                {"payout": p, "cls": classes[p.share_class]}
                for p in sorted(result.by_class, key=lambda p: -classes[p.share_class].seniority)
                if p.total_fen or classes[p.share_class].preferred
            ]
            context |= {
                "as_of": as_of,
                "exit_fen": exit_fen,
                "payouts": [
                    {
                        "holder": holder,
                        "fen": fen,
                        "percent": (Decimal(fen) * 100 / exit_fen).quantize(Decimal("0.01"))
                        if exit_fen
                        else Decimal(0),
                    }
                    for holder, fen in result.payouts.items()
                ],
                "stack": stack,
            }
    if request.headers.get("HX-Request"):
        return render(request, "equity/_waterfall.html", context)
    return render(request, "equity/waterfall.html", context)


@login_required
def propose_open(request: HttpRequest, pk: int) -> HttpResponse:
    _require_maker(request.user, "equity.open_cap_table")
    enterprise = _enterprise(request.user, pk)
    form = forms.OpenForm(request.POST or None, initial={"date": today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        payload = {
            "enterprise_id": enterprise.pk,
            "date": d["date"].isoformat(),
            "founders": d["founders"],
            "pool_unallocated": d["pool_unallocated"],
        }
        if done := _propose(request, form, "equity.open_cap_table", payload):
            return done
    return render(
        request,
        "equity/form.html",
        {"enterprise": enterprise, "form": form, "title": _("Open the cap table")},
    )


@login_required
def propose_round(request: HttpRequest, pk: int) -> HttpResponse:
    _require_maker(request.user, "equity.record_round")
    enterprise = _enterprise(request.user, pk)
    form = forms.RoundForm(request.POST or None, initial={"date": today()})
    if request.method == "POST" and form.is_valid():
        payload = _json(form.cleaned_data) | {"enterprise_id": enterprise.pk}
        if done := _propose(request, form, "equity.record_round", payload):
            return done
    return render(
        request,
        "equity/form.html",
        {"enterprise": enterprise, "form": form, "title": _("Record a priced round")},
    )


@login_required
def propose_instrument(request: HttpRequest, pk: int) -> HttpResponse:
    _require_maker(request.user, "equity.issue_instrument")
    enterprise = _enterprise(request.user, pk)
    form = forms.InstrumentForm(request.POST or None, initial={"date": today()})
    if request.method == "POST" and form.is_valid():
        payload = _json(form.cleaned_data) | {"enterprise_id": enterprise.pk}
        if done := _propose(request, form, "equity.issue_instrument", payload):
            return done
    return render(
        request,
        "equity/form.html",
        {"enterprise": enterprise, "form": form, "title": _("Record a SAFE or convertible note")},
    )


def _json(data: dict) -> dict:
    """A form's cleaned data as a JSON-ready payload (dates ISO, decimals as strings)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "reason" or value in (None, ""):
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[key] = value
    return out


# --- the angel fund ------------------------------------------------------------------------------
def _fund_reader(user: Any) -> None:
    if not reads_fund(user):
        raise PermissionDenied


@login_required
def fund(request: HttpRequest) -> HttpResponse:
    _fund_reader(request.user)
    as_of, error = _as_of(request)
    holdings = list(
        scoping.readable(request.user, AngelHolding)
        .select_related("enterprise")
        .filter(opened_on__lte=as_of)
    )
    lines = selectors.holding_lines(holdings, as_of)
    return render(
        request,
        "equity/fund.html",
        {
            "as_of": as_of,
            "error": error,
            "lines": lines,
            "figures": selectors.fund_figures(lines, as_of),
            "due": [line for line in lines if line.holding.review_due_since],
            "may_invest": may_propose(request.user, "equity.angel_invest"),
        },
    )


@login_required
def invest(request: HttpRequest) -> HttpResponse:
    _require_maker(request.user, "equity.angel_invest")
    form = forms.InvestForm(request.POST or None, initial={"date": today()})
    firms = readable_enterprises(request.user).order_by("name").values_list("pk", "name")
    form.fields["enterprise_id"].choices = list(firms)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        payload = _json(form.cleaned_data)
        if done := _propose(request, form, "equity.angel_invest", payload):
            return done
    return render(
        request, "equity/form.html", {"form": form, "title": _("Propose an angel investment")}
    )


@login_required
def holding(request: HttpRequest, pk: int) -> HttpResponse:
    _fund_reader(request.user)
    h = get_object_or_404(
        scoping.readable(request.user, AngelHolding).select_related("enterprise"), pk=pk
    )
    staff = services.is_fund_staff(request.user)
    review_form = forms.ReviewForm(
        request.POST if "review" in request.POST else None, initial={"date": today()}
    )
    exit_form = forms.ExitForm(
        request.POST if "exit" in request.POST else None, initial={"date": today()}
    )
    if request.method == "POST":
        if not staff:
            raise PermissionDenied
        if "review" in request.POST and review_form.is_valid():
            if done := _review(request, h, review_form):
                return done
        elif "exit" in request.POST and exit_form.is_valid():
            payload = _json(exit_form.cleaned_data) | {"holding_id": h.pk}
            if done := _propose(request, exit_form, "equity.angel_exit", payload):
                return done
    return render(
        request,
        "equity/holding.html",
        {
            "line": selectors.holding_line(h, today()),
            "rounds": _rows(request.user, Round, h.enterprise, on__gte=h.opened_on),
            "investments": h.investments.all(),
            "reviews": h.reviews.select_related("reviewed_by"),
            "review_form": review_form if staff else None,
            "exit_form": exit_form
            if h.kind == "angel"
            and h.status == "active"
            and may_propose(request.user, "equity.angel_exit")
            else None,
        },
    )


def _review(request: HttpRequest, h: AngelHolding, form: forms.ReviewForm) -> HttpResponse | None:
    d = form.cleaned_data
    expected = None
    if d["next_round_expected_yuan"]:
        try:
            expected = parse_amount(d["next_round_expected_yuan"])
        except AmountError:
            form.add_error(
                "next_round_expected_yuan", _("Give the amount in yuan, e.g. 2000000.00 or 200万.")
            )
            return None
    try:
        services.review_holding(
            holding_id=h.pk,
            on=d["date"],
            note=d["note"],
            actor=request.user,
            next_round_expected_on=d["next_round_expected_on"],
            next_round_expected_fen=expected,
        )
    except (Invalid, CapTableError, ValidationError) as exc:
        form.add_error(None, explain(exc.message) if isinstance(exc, Invalid) else str(exc))
        return None
    messages.success(request, _("Review recorded."))
    return redirect("equity:holding", h.pk)
