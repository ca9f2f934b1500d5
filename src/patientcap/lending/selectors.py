"""Reading tiered loans: a loan's servicing state on a date (days past due, classification,
flags), the portfolio at risk, queues of pending decisions and the programme's reports.

Days past due are computed from the schedule and what has been paid of it, on the date asked,
never from a stored snapshot, so a page read today shows today's arrears. The callers pass
querysets already scoped through `accounts.scoping`.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from patientcap.accounts.models import Role
from patientcap.domain import loans as engine
from patientcap.domain.messages import gettext_noop
from patientcap.ledger.selectors import balance
from patientcap.lending import rules
from patientcap.lending.models import (
    NON_PERFORMING,
    Application,
    ApplicationStatus,
    Claim,
    ClaimShare,
    ClaimStatus,
    EventKind,
    Instalment,
    Loan,
    LoanStatus,
    Party,
    Recovery,
)
from patientcap.lending.rules import Versions

UNSETTLED = Q(principal_paid_fen__lt=F("principal_fen")) | Q(
    interest_paid_fen__lt=F("interest_fen")
)
ON_BOOK = (LoanStatus.ACTIVE, LoanStatus.DEFAULTED)


@dataclass(frozen=True)
class LoanState:
    dpd: int
    category: str
    flags: list[str]
    outstanding_fen: int
    overdue_principal_fen: int
    unpaid_interest_fen: int  # interest fallen due and not paid
    oldest_unpaid_due: dt.date | None


def loan_state(loan: Loan, on: dt.date, versions: Versions | None = None) -> LoanState:
    versions = versions or Versions()
    rows = list(
        loan.instalments.filter(superseded=False).values(
            "due", "principal_fen", "interest_fen", "principal_paid_fen", "interest_paid_fen"
        )
    )
    outstanding = sum(r["principal_fen"] - r["principal_paid_fen"] for r in rows)
    late = [
        r
        for r in rows
        if r["due"] < on
        and (
            r["principal_paid_fen"] < r["principal_fen"]
            or r["interest_paid_fen"] < r["interest_fen"]
        )
    ]
    oldest = min((r["due"] for r in late), default=None)
    dpd = engine.days_past_due(oldest, on)
    category = engine.classify(dpd, rules.thresholds(on, versions)).value
    overdue = sum(r["principal_fen"] - r["principal_paid_fen"] for r in late)
    unpaid = sum(r["interest_fen"] - r["interest_paid_fen"] for r in rows if r["due"] <= on)
    flags = []
    if dpd > 0:
        flags.append("overdue")
    if dpd >= 30:
        flags.append("par30")
    if dpd >= 90:
        flags.append("par90")
    last_due = max((r["due"] for r in rows), default=None)
    window = rules.maturity_warning_days(on, versions)
    if outstanding and last_due is not None and on <= last_due <= on + dt.timedelta(days=window):
        flags.append("matures_soon")
    if loan.pk and loan.events.filter(kind=EventKind.RESTRUCTURED).exists():
        flags.append("restructured")
    return LoanState(dpd, category, flags, outstanding, overdue, unpaid, oldest)


def penalty_due(inst: Instalment, annual_rate: Decimal, markup: Decimal, on: dt.date) -> int:
    """Penalty interest accrued on an instalment's overdue principal up to `on`, less what was
    paid of it (the markup on the contract rate, by the day from the due date)."""
    if inst.due >= on:
        return 0
    overdue = inst.principal_fen - inst.principal_paid_fen
    accrued = engine.penalty_interest(overdue, annual_rate, markup, (on - inst.due).days)
    return max(accrued - inst.penalty_paid_fen, 0)


def amount_due(loan: Loan, on: dt.date) -> int:
    """Everything due on `on`: unpaid principal and interest of the instalments fallen due,
    and their penalty interest."""
    markup = rules.penalty_markup(on, Versions())
    return sum(
        i.principal_fen
        - i.principal_paid_fen
        + i.interest_fen
        - i.interest_paid_fen
        + penalty_due(i, loan.annual_rate, markup, on)
        for i in loan.instalments.filter(UNSETTLED, superseded=False, due__lte=on)
    )


FLAG_LABELS = {
    "overdue": gettext_noop("Overdue"),
    "par30": gettext_noop("30+ days past due"),
    "par90": gettext_noop("90+ days past due"),
    "matures_soon": gettext_noop("Falls due in full soon"),
    "restructured": gettext_noop("Restructured"),
}


@dataclass(frozen=True)
class BookRow:
    loan_id: int
    contract_number: str
    bank_id: int
    guarantor_id: int
    status: str
    outstanding_fen: int
    dpd: int
    category: str


def portfolio(loans: QuerySet[Loan], on: dt.date) -> list[BookRow]:
    """Every loan of `loans` still on a bank's book on `on` (active or defaulted, not written
    off), with its outstanding principal and days past due, in three queries."""
    on_book = loans.filter(status__in=ON_BOOK, signed_on__lte=on)
    instalments = Instalment.objects.filter(loan__in=on_book.values("pk"), superseded=False)
    outstanding = dict(
        instalments.values("loan")
        .annotate(s=Sum(F("principal_fen") - F("principal_paid_fen")))
        .values_list("loan", "s")
    )
    oldest = dict(
        instalments.filter(UNSETTLED, due__lt=on)
        .values("loan")
        .annotate(d=Min("due"))
        .values_list("loan", "d")
    )
    thresholds = rules.thresholds(on, Versions())
    out = []
    for loan in on_book.values("pk", "contract_number", "bank_id", "guarantor_id", "status"):
        dpd = engine.days_past_due(oldest.get(loan["pk"]), on)
        out.append(
            BookRow(
                loan["pk"],
                loan["contract_number"],
                loan["bank_id"],
                loan["guarantor_id"],
                loan["status"],
                outstanding.get(loan["pk"]) or 0,
                dpd,
                engine.classify(dpd, thresholds).value,
            )
        )
    return out


RATIO_PLACES = Decimal("0.0001")


def ratio(part: int, whole: int) -> Decimal:
    return Decimal(0) if whole == 0 else Decimal(part) / Decimal(whole)


@dataclass
class ParReport:
    on: dt.date
    rows: list[BookRow]
    total_fen: int = 0
    par30_fen: int = 0
    par90_fen: int = 0
    npl_fen: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    buckets: dict[str, int] = field(default_factory=dict)

    @property
    def par30(self) -> Decimal:
        return ratio(self.par30_fen, self.total_fen)

    @property
    def par90(self) -> Decimal:
        return ratio(self.par90_fen, self.total_fen)

    @property
    def npl_ratio(self) -> Decimal:
        return ratio(self.npl_fen, self.total_fen)


BUCKETS = (("current", 0, 0), ("1-29", 1, 29), ("30-89", 30, 89), ("90-179", 90, 179))


def par(loans: QuerySet[Loan], on: dt.date) -> ParReport:
    rows = portfolio(loans, on)
    report = ParReport(on, rows)
    report.by_category = {c: 0 for c, _label in engine_categories()}
    report.buckets = {name: 0 for name, _lo, _hi in BUCKETS} | {"180+": 0}
    for row in rows:
        report.total_fen += row.outstanding_fen
        report.by_category[row.category] += row.outstanding_fen
        if row.dpd >= 30:
            report.par30_fen += row.outstanding_fen
        if row.dpd >= 90:
            report.par90_fen += row.outstanding_fen
        if row.category in NON_PERFORMING:
            report.npl_fen += row.outstanding_fen
        name = next((n for n, lo, hi in BUCKETS if lo <= row.dpd <= hi), "180+")
        report.buckets[name] += row.outstanding_fen
    return report


def engine_categories() -> list[tuple[str, str]]:
    from patientcap.lending.models import CATEGORY_CHOICES

    return [(str(value), str(label)) for value, label in CATEGORY_CHOICES]


def npl_by_bank(loans: QuerySet[Loan], on: dt.date) -> list[dict[str, Any]]:
    from patientcap.accounts.models import Organisation

    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in portfolio(loans, on):
        t = totals[row.bank_id]
        t[0] += row.outstanding_fen
        if row.category in NON_PERFORMING:
            t[1] += row.outstanding_fen
        if row.dpd >= 30:
            t[2] += row.outstanding_fen
    names = dict(Organisation.objects.filter(pk__in=totals).values_list("pk", "name"))
    return [
        {
            "bank": names[pk],
            "outstanding_fen": t[0],
            "npl_fen": t[1],
            "npl_ratio": ratio(t[1], t[0]),
            "par30": ratio(t[2], t[0]),
        }
        for pk, t in sorted(totals.items(), key=lambda kv: names[kv[0]])
    ]


def losses_by_party(claims: QuerySet[Claim]) -> list[dict[str, Any]]:
    """Loss borne and recovered by each party (the pool, and each guarantor and bank)."""
    rows = (
        ClaimShare.objects.filter(claim__in=claims.values("pk"))
        .values("party", "organisation__name")
        .annotate(loss=Sum("amount_fen"), recovered=Sum("recovered_fen"))
        .order_by("party", "organisation__name")
    )
    labels = dict(Party.choices)
    return [
        {
            "party": r["party"],
            "party_label": str(labels[r["party"]]),
            "organisation": r["organisation__name"] or "",
            "loss_fen": r["loss"],
            "recovered_fen": r["recovered"],
            "net_fen": r["loss"] - r["recovered"],
        }
        for r in rows
    ]


def losses_by_party_totals(claims: QuerySet[Claim]) -> dict[str, int]:
    out = {p: 0 for p in Party.values}
    for row in losses_by_party(claims):
        out[row["party"]] += row["net_fen"]
    return out


def monthly_disbursements(loans: QuerySet[Loan]) -> list[tuple[str, int]]:
    from patientcap.lending.models import Disbursement

    rows = (
        Disbursement.objects.filter(loan__in=loans.values("pk"))
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(s=Sum("amount_fen"))
        .order_by("month")
    )
    return [(r["month"].strftime("%Y-%m"), r["s"]) for r in rows]


def matched_credit_fen(on: dt.date) -> int:
    """Bank credit matched to equity (双融领创通), from the matching app."""
    from patientcap.matching.selectors import matched_credit_fen as matched

    return int(matched(on))


@dataclass(frozen=True)
class Leverage:
    tiered_fen: int
    matched_fen: int
    risk_pool_fen: int
    fiscal_fen: int

    @property
    def credit_fen(self) -> int:
        return self.tiered_fen + self.matched_fen

    @property
    def public_fen(self) -> int:
        return self.risk_pool_fen + self.fiscal_fen

    @property
    def overall(self) -> Decimal:
        """Bank credit mobilised per fiscal yuan (both programmes over both pools)."""
        return ratio(self.credit_fen, self.public_fen)

    @property
    def tiered(self) -> Decimal:
        """Tiered loans per yuan put into the risk-compensation pool."""
        return ratio(self.tiered_fen, self.risk_pool_fen)


def leverage(on: dt.date) -> Leverage:
    tiered = (
        Loan.objects.filter(disbursements__date__lte=on).aggregate(
            s=Sum("disbursements__amount_fen")
        )["s"]
        or 0
    )
    return Leverage(
        tiered_fen=tiered,
        matched_fen=matched_credit_fen(on),
        risk_pool_fen=balance("risk_compensation_pool.contributions", on),
        fiscal_fen=balance("fiscal_pool.contributions", on),
    )


# --- Queues -----------------------------------------------------------------------------------
@dataclass
class Queue:
    bank_diligence: list[Application] = field(default_factory=list)
    guarantor_diligence: list[Application] = field(default_factory=list)
    to_approve: list[Application] = field(default_factory=list)
    to_contract: list[Application] = field(default_factory=list)
    claims_to_review: list[Claim] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(
            len(x)
            for x in (
                self.bank_diligence,
                self.guarantor_diligence,
                self.to_approve,
                self.to_contract,
                self.claims_to_review,
            )
        )


def pending_decisions(
    user: Any, applications: QuerySet[Application], claims: QuerySet[Claim]
) -> Queue:
    """What waits for this user's organisation: its side's due diligence, contracts to sign,
    and for the zone the approvals and claims to review."""
    queue = Queue()
    waiting = applications.filter(status=ApplicationStatus.DILIGENCE).select_related("enterprise")
    if user.role == Role.BANK_OFFICER:
        queue.bank_diligence = list(waiting.exclude(diligence__party=Party.BANK))
        queue.to_contract = list(
            applications.filter(status=ApplicationStatus.APPROVED).select_related("enterprise")
        )
    elif user.role == Role.GUARANTOR_OFFICER:
        queue.guarantor_diligence = list(waiting.exclude(diligence__party=Party.GUARANTOR))
    elif user.role in {Role.ZONE_OFFICER, Role.REVIEWER}:
        queue.to_approve = list(
            applications.filter(status=ApplicationStatus.READY).select_related("enterprise")
        )
        queue.claims_to_review = list(
            claims.filter(status=ClaimStatus.FILED).select_related("loan__enterprise")
        )
    return queue


def recoveries(claims: QuerySet[Claim]) -> QuerySet[Recovery]:
    return Recovery.objects.filter(claim__in=claims.values("pk"))
