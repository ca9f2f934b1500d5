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
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import CharField, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext as _

from patientcap.accounts import scoping
from patientcap.domain import metrics
from patientcap.domain.money import format_yuan, round_fen, yuan
from patientcap.investments.models import (
    Agreement,
    Conversion,
    Exit,
    Milestone,
    MilestoneStatus,
    Project,
    Stage,
    Tranche,
    WriteOff,
)
from patientcap.ledger import selectors as ledger_selectors
from patientcap.ledger.models import Account as LedgerAccount

HISTORY = dt.date(2000, 1, 1)  # before any pool movement: statements start here
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rows:
    """The rows a reader may see, one queryset per model: the pages and the API build it from
    `accounts.scoping` (`Rows.readable(user)`), the zone's published figures from every row."""

    projects: QuerySet[Project]
    agreements: QuerySet[Agreement]
    tranches: QuerySet[Tranche]
    milestones: QuerySet[Milestone]
    conversions: QuerySet[Conversion]
    write_offs: QuerySet[WriteOff]
    exits: QuerySet[Exit]

    @classmethod
    def readable(cls, user: Any) -> Rows:
        r = scoping.readable
        return cls(
            r(user, Project), r(user, Agreement), r(user, Tranche), r(user, Milestone),
            r(user, Conversion), r(user, WriteOff), r(user, Exit),
        )  # fmt: skip


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
        for diligence in project.diligence.all():
            items.append(
                {
                    "title": _("%(project)s: diligence review") % {"project": project.title},
                    "url": f"{url}#diligence-{diligence.pk}",
                    "date": diligence.reviewed_on,
                }
            )
    items.sort(key=lambda item: item["date"])
    return items


# --- Pipeline, timeline, queue -----------------------------------------------------------------
def pipeline(projects: QuerySet[Project]) -> list[tuple[str, str, list[Project]]]:
    """The projects grouped by stage, in the order of the programme: (stage, label, projects)."""
    by_stage: dict[str, list[Project]] = {s: [] for s in Stage.values}
    for p in projects.select_related("enterprise").order_by("-applied_on", "-pk"):
        by_stage[p.stage].append(p)
    return [(s, str(Stage(s).label), by_stage[s]) for s in Stage.values]


@dataclass(frozen=True)
class Event:
    """One step of a project's timeline."""

    when: dt.date
    kind: str  # application, review, decision, agreement, tranche, evidence, verdict, ...
    title: str
    detail: str = ""
    anchor: str = ""


def timeline(project: Project) -> list[Event]:
    """Application → reviews → decision → agreement → tranches → milestones → conversion or
    write-off → exit, in date order (same-day steps in the programme's order)."""
    events = [
        Event(
            project.applied_on,
            "application",
            _("Application"),
            format_yuan(project.requested_fen),
            "application",
        )
    ]
    for r in project.reviews.select_related("reviewer"):
        events.append(
            Event(
                r.reviewed_on,
                "review",
                _("Review, score %(s)s") % {"s": r.score},
                r.opinion,
                f"review-{r.pk}",
            )
        )
    decision = getattr(project, "decision", None)
    if decision is not None:
        title = (
            _("Committee approved %(a)s") % {"a": format_yuan(decision.amount_fen)}
            if (decision.approved)
            else _("Committee rejected the application")
        )
        events.append(Event(decision.decided_on, "decision", title, decision.comment, "decision"))
    agreement = getattr(project, "agreement", None)
    if agreement is not None:
        events.append(
            Event(
                agreement.signed_on,
                "agreement",
                _("Agreement signed"),
                agreement.get_variant_display(),
                "agreement",
            )
        )
        for t in agreement.tranches.all():
            if t.disbursed_on:
                events.append(
                    Event(
                        t.disbursed_on,
                        "tranche",
                        _("Tranche %(n)s paid") % {"n": t.number},
                        format_yuan(t.amount_fen),
                        f"tranche-{t.pk}",
                    )
                )
        for m in agreement.milestones.all():
            for e in m.evidence.all():
                events.append(
                    Event(
                        e.submitted_on,
                        "evidence",
                        _("Evidence for %(m)s") % {"m": m.what},
                        e.note,
                        f"milestone-{m.pk}",
                    )
                )
            for v in m.verdicts.all():
                events.append(
                    Event(
                        v.given_on,
                        "verdict",
                        (_("%(m)s met") if v.met else _("%(m)s not met")) % {"m": m.what},
                        v.comment,
                        f"milestone-{m.pk}",
                    )
                )
    for d in project.diligence.all():
        events.append(
            Event(
                d.reviewed_on, "diligence", _("Diligence review"), d.findings, f"diligence-{d.pk}"
            )
        )
    conversion = getattr(project, "conversion", None)
    if conversion is not None:
        events.append(
            Event(
                conversion.converted_on,
                "conversion",
                _("Converted to equity"),
                _("%(n)s shares, stake %(s)s")
                % {
                    "n": conversion.shares,
                    "s": f"{(conversion.stake * 100).quantize(CENT, rounding=ROUND_HALF_UP)}%",
                },
                "conversion",
            )
        )
    write_off = getattr(project, "write_off", None)
    if write_off is not None:
        events.append(
            Event(
                write_off.written_off_on,
                "write_off",
                _("Written off"),
                format_yuan(write_off.loss_fen),
                "write-off",
            )
        )
    exit_ = getattr(project, "exit", None)
    if exit_ is not None:
        events.append(
            Event(
                exit_.exited_on,
                "exit",
                _("Exited: %(r)s") % {"r": exit_.get_route_display()},
                format_yuan(exit_.proceeds_fen),
                "exit",
            )
        )
    order = {
        k: i
        for i, k in enumerate(
            (
                "application",
                "review",
                "decision",
                "agreement",
                "tranche",
                "evidence",
                "verdict",
                "diligence",
                "conversion",
                "write_off",
                "exit",
            )
        )
    }
    return sorted(events, key=lambda e: (e.when, order[e.kind]))


@dataclass(frozen=True)
class Queue:
    overdue_milestones: list[Milestone]
    tranches_due: list[Tranche]
    deadlines: list[Agreement]  # conversion deadlines within the horizon, or passed
    awaiting_verdict: list[Milestone]
    awaiting_review: list[Project]


def queue(rows: Rows, as_of: dt.date, horizon_days: int = 60) -> Queue:
    """The officer's work: milestones overdue (past due, no verdict), tranches due within the
    horizon and unpaid, conversion deadlines within the horizon or passed, evidence awaiting a
    verdict, applications awaiting review."""
    horizon = as_of + dt.timedelta(days=horizon_days)
    projects = rows.projects
    live = projects.filter(stage__in=(Stage.SIGNED, Stage.DISBURSING))
    milestones = rows.milestones.filter(agreement__project__in=live).select_related(
        "agreement__project__enterprise"
    )
    return Queue(
        overdue_milestones=list(
            milestones.filter(
                due_on__lt=as_of,
                status__in=(MilestoneStatus.PENDING, MilestoneStatus.SUBMITTED),
            ).order_by("due_on")
        ),
        tranches_due=list(
            rows.tranches.filter(
                agreement__project__in=live, disbursed_on__isnull=True, due_on__lte=horizon
            )
            .select_related("agreement__project__enterprise")
            .order_by("due_on")
        ),
        deadlines=list(
            rows.agreements.filter(
                project__in=projects.filter(stage=Stage.DISBURSING),
                conversion_deadline__lte=horizon,
            )
            .select_related("project__enterprise")
            .order_by("conversion_deadline")
        ),
        awaiting_verdict=list(milestones.filter(status=MilestoneStatus.SUBMITTED)),
        awaiting_review=list(
            projects.filter(stage__in=(Stage.APPLIED, Stage.UNDER_REVIEW))
            .select_related("enterprise")
            .order_by("applied_on")
        ),
    )


# --- The revolving pool ------------------------------------------------------------------------
@dataclass(frozen=True)
class PoolFigures:
    as_of: dt.date
    contributions_fen: int  # fiscal money received
    invested_fen: int  # tranches paid
    returned_fen: int  # exit proceeds and write-off recoveries
    written_off_fen: int  # losses written off
    cash_fen: int  # the pool's cash (ledger)
    committed_fen: int  # signed, not yet paid, on live agreements
    outstanding_fen: int  # paid and still held (not written off, not exited), at cost
    projects: int  # projects that received money
    exited_projects: int

    @property
    def available_fen(self) -> int:
        return self.cash_fen - self.committed_fen

    @property
    def recycling_rate(self) -> Decimal | None:
        return metrics.recycling_rate(self.returned_fen, self.invested_fen)


def _sum(queryset: QuerySet, field: str) -> int:
    return int(queryset.aggregate(total=Sum(field))["total"] or 0)


def pool_figures(rows: Rows, as_of: dt.date) -> PoolFigures:
    """The pool on `as_of` (end of day): every figure from the rows and the ledger of that date."""
    paid = rows.tranches.filter(disbursed_on__lte=as_of)
    exits = rows.exits.filter(exited_on__lte=as_of)
    write_offs = rows.write_offs.filter(written_off_on__lte=as_of)
    closed = (
        Q(project__write_off__written_off_on__lte=as_of)
        | Q(project__exit__exited_on__lte=as_of)
        | Q(project__conversion__converted_on__lte=as_of)
    )
    live = rows.agreements.filter(signed_on__lte=as_of).exclude(closed)
    committed = _sum(live, "amount_fen") - _sum(
        rows.tranches.filter(agreement__in=live, disbursed_on__lte=as_of), "amount_fen"
    )
    invested = _sum(paid, "amount_fen")
    cost_closed = _sum(exits, "cost_fen") + _sum(write_offs, "disbursed_fen")
    return PoolFigures(
        as_of=as_of,
        contributions_fen=ledger_selectors.balance("fiscal_pool.contributions", as_of),
        invested_fen=invested,
        returned_fen=_sum(exits, "proceeds_fen") + _sum(write_offs, "recovered_fen"),
        written_off_fen=_sum(write_offs, "loss_fen"),
        cash_fen=ledger_selectors.balance("fiscal_pool.cash", as_of),
        committed_fen=committed,
        outstanding_fen=invested - cost_closed,
        projects=paid.values("agreement__project_id").distinct().count(),
        exited_projects=exits.count(),
    )


def balance_series(cash: LedgerAccount, as_of: dt.date) -> tuple[metrics.BalancePoint, ...]:
    """The pool's cash balance after each day with movements, up to `as_of` (`cash`: the
    fiscal_pool.cash account, read through scoping)."""
    statement = ledger_selectors.account_statement(cash, HISTORY, as_of + dt.timedelta(days=1))
    return metrics.balance_series(
        metrics.Movement(line.date, line.debit - line.credit) for line in statement.lines
    )


@dataclass(frozen=True)
class YearFlows:
    year: int
    contributions_fen: int
    returned_fen: int  # exit proceeds and recoveries
    invested_fen: int  # tranches paid

    @property
    def net_fen(self) -> int:
        return self.contributions_fen + self.returned_fen - self.invested_fen


def flows_by_year(rows: Rows, contributions: LedgerAccount, as_of: dt.date) -> list[YearFlows]:
    """Inflows (fiscal contributions, exit proceeds, recoveries) and outflows (tranches) by
    calendar year, up to `as_of` (`contributions`: the fiscal_pool.contributions account, read
    through scoping)."""
    years: dict[int, list[int]] = {}

    def add(day: dt.date | None, i: int, amount: int) -> None:
        assert day is not None  # every row read here is filtered on its date
        years.setdefault(day.year, [0, 0, 0])[i] += amount

    statement = ledger_selectors.account_statement(
        contributions, HISTORY, as_of + dt.timedelta(days=1)
    )
    for line in statement.lines:
        add(line.date, 0, line.credit - line.debit)
    for day, amount in rows.exits.filter(exited_on__lte=as_of).values_list(
        "exited_on", "proceeds_fen"
    ):
        add(day, 1, amount)
    for day, amount in rows.write_offs.filter(written_off_on__lte=as_of).values_list(
        "written_off_on", "recovered_fen"
    ):
        add(day, 1, amount)
    for paid_on, amount in rows.tranches.filter(disbursed_on__lte=as_of).values_list(
        "disbursed_on", "amount_fen"
    ):
        add(paid_on, 2, amount)
    return [YearFlows(y, *v) for y, v in sorted(years.items())]


def sankey(rows: Rows, as_of: dt.date) -> dict[str, Any]:
    """Pool → projects (by outcome) → exits → back to the pool, for an ECharts sankey (values in
    yuan as strings; the chart reads them as numbers)."""
    f = pool_figures(rows, as_of)
    exits = rows.exits.filter(exited_on__lte=as_of)
    write_offs = rows.write_offs.filter(written_off_on__lte=as_of)
    converted = _sum(
        rows.conversions.filter(converted_on__lte=as_of).exclude(
            project__exit__exited_on__lte=as_of
        ),
        "amount_fen",
    )
    names = {
        "contributions": _("Fiscal contributions"),
        "pool": _("Fiscal pool"),
        "outstanding": _("Invest-first outstanding"),
        "converted": _("Converted equity"),
        "written_off": _("Written off"),
        "exited": _("Exited projects"),
        "proceeds": _("Exit proceeds"),
        "back": _("Back to the pool"),
    }
    links = [
        ("contributions", "pool", f.contributions_fen),
        ("pool", "outstanding", f.outstanding_fen - converted),
        ("pool", "converted", converted),
        ("pool", "written_off", _sum(write_offs, "disbursed_fen")),
        ("pool", "exited", _sum(exits, "cost_fen")),
        ("exited", "proceeds", _sum(exits, "proceeds_fen")),
        ("written_off", "back", _sum(write_offs, "recovered_fen")),
        ("proceeds", "back", _sum(exits, "proceeds_fen")),
    ]
    used = {n for s, t, v in links if v > 0 for n in (s, t)}
    return {
        "nodes": [{"name": str(names[k])} for k in names if k in used],
        "links": [
            {"source": str(names[s]), "target": str(names[t]), "value": yuan(v)}
            for s, t, v in links
            if v > 0
        ],
    }


# --- Fund metrics ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One project in the portfolio metrics."""

    project_id: int
    title: str
    enterprise: str
    stage: str
    metrics: metrics.ProjectMetrics


@dataclass(frozen=True)
class Portfolio:
    as_of: dt.date
    rows: list[Row]
    total: metrics.ProjectMetrics


def _round_prices(
    projects: QuerySet[Project], as_of: dt.date
) -> dict[int, tuple[dt.date, Decimal]]:
    """The latest priced round (equity app) on or before `as_of` of each firm of `projects`,
    through the firms' rounds (one query)."""
    latest: dict[int, tuple[dt.date, Decimal]] = {}
    rows = projects.order_by().values_list(
        "enterprise_id", "enterprise__rounds__on", "enterprise__rounds__price_per_share"
    )
    for enterprise_id, on, price in rows:
        if (
            on is not None
            and on <= as_of
            and (enterprise_id not in latest or on >= latest[enterprise_id][0])
        ):
            latest[enterprise_id] = (on, price)
    return latest


class _Valuations:
    """Each enterprise's latest valuation (valuations app), looked up once per enterprise."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self.found: dict[int, tuple[dt.date, int] | None] = {}

    def __call__(self, enterprise_id: int) -> tuple[dt.date, int] | None:
        if enterprise_id not in self.found:
            from patientcap.valuations.selectors import latest_valuation

            v = latest_valuation(enterprise_id, self.as_of)
            self.found[enterprise_id] = None if v is None else (v.valued_on, v.point_fen)
        return self.found[enterprise_id]


def unrealised_fen(
    conversion: tuple[int, int, Decimal, dt.date],
    round_price: tuple[dt.date, Decimal] | None,
    valuation: tuple[dt.date, int] | None,
) -> int | None:
    """A converted stake's value: its shares at the latest round price since the conversion;
    without one, the latest valuation since the conversion × the stake received; None without
    either (no market evidence: the caller keeps the cost)."""
    _enterprise_id, shares, stake, converted_on = conversion
    if round_price is not None and round_price[0] >= converted_on:
        return metrics.unrealised_value(shares, round_price[1])
    if valuation is not None and valuation[0] >= converted_on:
        return round_fen(Decimal(valuation[1]) * stake)
    return None


def portfolio(rows: Rows, as_of: dt.date) -> Portfolio:
    """XIRR, DPI, RVPI, TVPI and MOIC of every project of `projects` that received money by
    `as_of`, and of the whole portfolio (see `portfolio_inputs`)."""
    keyed, info = portfolio_inputs(rows, as_of)
    result = metrics.portfolio_metrics(keyed, as_of)
    labels = {s: str(Stage(s).label) for s in Stage.values}
    lines = []
    for m in result.projects:
        title, name, stage = info[int(m.key)]
        lines.append(Row(int(m.key), title, name, labels[stage], m))
    return Portfolio(as_of, lines, result.portfolio)


def portfolio_inputs(
    rows: Rows, as_of: dt.date
) -> tuple[list[metrics.Project], dict[int, tuple[str, str, str]]]:
    """The projects that received money by `as_of` as `domain.metrics` values — tranches paid
    in, exit proceeds and recoveries returned, and the residual value of what is still held
    (converted stakes at the latest round price or valuation, money not yet converted at cost) —
    and each one's (title, enterprise, stage). Six queries whatever the number of projects (plus
    one valuation lookup per converted firm without a round since its conversion)."""
    flows: dict[int, list[metrics.Flow]] = {}
    invested: dict[int, int] = {}
    investment, distribution = metrics.FlowKind.INVESTMENT, metrics.FlowKind.DISTRIBUTION
    # Amounts are positive (CHECK constraints) and posted through the ledger (below 10**15 fen).
    flow = metrics.Flow.trusted
    # Dates come as ISO text and are parsed once per distinct day (a few thousand days for a
    # hundred thousand tranches), not once per row.
    days: dict[str, dt.date] = {}
    projects = rows.projects
    paid = rows.tranches.filter(agreement__project__in=projects, disbursed_on__lte=as_of)
    for pk, text, amount in paid.values_list(
        "agreement__project_id", Cast("disbursed_on", CharField()), "amount_fen"
    ):
        day = days.get(text)
        if day is None:
            day = days[text] = dt.date.fromisoformat(text)
        if pk in flows:
            flows[pk].append(flow(day, investment, amount))
            invested[pk] += amount
        else:
            flows[pk] = [flow(day, investment, amount)]
            invested[pk] = amount
    closed: set[int] = set()
    for queryset, date_field, amount_field in (
        (rows.exits, "exited_on", "proceeds_fen"),
        (rows.write_offs, "written_off_on", "recovered_fen"),
    ):
        returned = queryset.filter(project__in=projects, **{f"{date_field}__lte": as_of})
        for pk, day, amount in returned.values_list("project_id", date_field, amount_field):
            closed.add(pk)
            if amount and pk in flows:
                flows[pk].append(flow(day, distribution, amount))
    converted = rows.conversions.filter(project__in=projects, converted_on__lte=as_of)
    conversions = {
        pk: (enterprise_id, shares, stake, on)
        for pk, enterprise_id, shares, stake, on in converted.values_list(
            "project_id", "project__enterprise_id", "shares", "stake", "converted_on"
        )
        if pk not in closed
    }
    prices = _round_prices(projects.filter(conversion__in=converted), as_of)
    valuation = _Valuations(as_of)
    info = {
        pk: (title, name, stage)
        for pk, title, name, stage in projects.values_list(
            "pk", "title", "enterprise__name", "stage"
        )
        if pk in flows
    }
    keyed = []
    for pk in sorted(flows):
        residual = 0
        if pk not in closed:
            residual = invested[pk]
            if pk in conversions:
                firm = conversions[pk][0]
                price = prices.get(firm)
                value = unrealised_fen(
                    conversions[pk],
                    price,
                    valuation(firm) if price is None or price[0] < conversions[pk][3] else None,
                )
                residual = invested[pk] if value is None else value
        keyed.append(metrics.Project(str(pk), tuple(flows[pk]), residual))
    return keyed, info


def loss_ratio_by_vintage(rows: Rows, as_of: dt.date) -> tuple[metrics.VintageLoss, ...]:
    """Written-off principal ÷ principal invested, by the year of each project's first tranche."""
    first: dict[int, dt.date] = {}
    invested: dict[int, int] = {}
    for pk, day, amount in rows.tranches.filter(disbursed_on__lte=as_of).values_list(
        "agreement__project_id", "disbursed_on", "amount_fen"
    ):
        assert day is not None  # filtered on its date
        first[pk] = min(first.get(pk, day), day)
        invested[pk] = invested.get(pk, 0) + amount
    lost = dict(
        rows.write_offs.filter(written_off_on__lte=as_of).values_list("project_id", "loss_fen")
    )
    return metrics.loss_ratio_by_vintage(
        metrics.Exposure(first[pk], invested[pk], lost.get(pk, 0)) for pk in first
    )
