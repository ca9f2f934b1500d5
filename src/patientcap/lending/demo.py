"""The demo's 科企梯度贷 book: 44 tiered loans granted 2024-07 → 2025-09 (over ¥100M by the end
of Q3 2025, the article's published figure) at both banks, guaranteed by both guarantors, each
through the real services and approvals, replayed day by day so that every decision sees the
book as it then stood (the circuit breaker included). Lending goes on after Q3 2025: 16 more
loans from 2025-10 to a month and a half before the demo date keep today's book a live one
(otherwise almost every loan would be repaid and the few defaults would be most of it).

Performing loans are repaid on each due date. A few stop paying and sit in each classification
at the demo date (关注 under and over 30 days, 次级, 可疑). Three default: one claim compensated
from the risk-compensation pool and by its guarantor and then partly recovered, one compensated,
one filed and waiting for the zone's review. New files wait in each queue: the bank's and the
guarantor's due diligence, and the zone's approval. Deterministic for the demo's seed and date.
"""

import datetime as dt
import heapq
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from patientcap.approvals import services as approvals
from patientcap.approvals.services import InvalidProposal
from patientcap.core.demo import DemoZone
from patientcap.domain.loans import Method, add_months
from patientcap.enterprises import services as registry
from patientcap.enterprises.models import Certification, EnterpriseAccessGrant
from patientcap.lending import rules, services
from patientcap.lending.models import (
    Application,
    ApplicationStatus,
    Instalment,
    Loan,
    Party,
    Tier,
)
from patientcap.lending.selectors import amount_due

GUARANTOR_WITH_LOGIN = "云溪科技融资担保有限公司"
GUARANTOR_ON_PAPER = (
    "西岭中小企业融资担保有限公司"  # no platform login: the zone records its letters
)
BANKS = ("bank", "bank2")
START, END = dt.date(2024, 7, 8), dt.date(2025, 9, 22)
LOANS = 44
RECENT_LOANS = 16  # granted after Q3 2025, all performing
AMOUNTS = {  # yuan ranges per tier (万), within the tier ceilings of policy/tiered_loan.yaml
    Tier.TECH_SME: (120, 300),
    Tier.HIGH_TECH: (250, 500),
    Tier.HIGH_GROWTH: (500, 1000),
    Tier.LEADER: (1000, 2000),
}
PURPOSES = ["研发投入", "订单备货周转", "中试线建设", "新产品量产", "设备更新", "市场拓展"]
METHODS = [Method.EQUAL_INSTALMENTS, Method.EQUAL_PRINCIPAL, Method.INTEREST_ONLY_BULLET]
# Loans that stop paying: (index in the book, days before the demo date the payments stop).
OVERDUE = {40: 12, 41: 45, 42: 130, 43: 290}
DEFAULTS = (3, 8)  # one at each bank  # compensated (the first then partly recovered)
PENDING_DEFAULT = 38  # its claim waits for the zone's review


def _org_id(user: Any) -> int:
    assert user.organisation_id is not None  # demo officers belong to their bank
    return int(user.organisation_id)


class _Book:
    def __init__(self, zone: DemoZone) -> None:
        self.zone, self.rng, self.as_of = zone, zone.rng, zone.as_of
        self.users = zone.users
        self.zone_officer, self.reviewer = zone.users["zone"], zone.users["reviewer"]
        self.events: list[tuple[dt.date, int, Callable[[], None]]] = []
        self.seq = 0
        self.loans: dict[int, Loan] = {}
        self.stop: dict[int, dt.date] = {}

    def at(self, day: dt.date, run: Callable[[], None]) -> None:
        self.seq += 1
        heapq.heappush(self.events, (day, self.seq, run))

    def replay(self) -> None:
        while self.events:
            day, _n, run = heapq.heappop(self.events)
            if day <= self.as_of:
                run()

    # --- origination -------------------------------------------------------------------------
    def eligible(
        self, on: dt.date, used: set[int], small: bool = False, long: bool = False
    ) -> tuple[Any, str] | None:
        """A firm that qualifies on `on`, unused ones first (a small loan: a 科技型企业; a long
        one: any other tier, whose tenor may run past the demo date)."""
        certified = set(
            Certification.objects.filter(
                valid_from__lte=on,
                valid_to__gte=on,
                kind__in=["tech_sme", "high_tech_enterprise"],
                enterprise__in=[f.pk for f in self.zone.firms],
            ).values_list("enterprise_id", flat=True)
        )
        firms = sorted(self.zone.firms, key=lambda f: (f.pk in used, self.rng.random()))
        for firm in (f for f in firms if f.pk in certified):
            found = rules.firm_tier(firm.pk, on, rules.Versions())
            if found is None or (long and found[0] == Tier.TECH_SME):
                continue
            if not small or found[0] == Tier.TECH_SME:
                used.add(firm.pk)
                return firm, found[0]
        return None

    def terms(self, tier: str, on: dt.date, small: bool, long: bool = False) -> dict[str, Any]:
        cap = rules.tier_terms(tier, on, rules.Versions())
        low, high = AMOUNTS[Tier(tier)]
        wan = low if small else self.rng.randrange(low, high + 1, 10)
        tenor = min(cap.max_tenor_months, self.rng.choice([12, 24, 36]))
        if long:  # still running today, so that its days past due are its own, not maturity's
            tenor = cap.max_tenor_months
        return {
            "amount_fen": min(wan * 1_000_000, cap.max_amount_fen),
            "annual_rate": cap.rate_cap - Decimal(self.rng.randrange(0, 60, 5)) / 10_000,
            "tenor_months": tenor,
            "method": self.rng.choice(METHODS).value,
            "purpose": self.rng.choice(PURPOSES),
        }

    def consent(self, firm: Any, *organisations: Any) -> None:
        """The firm lets the bank and the guarantor read its file (applying implies it)."""
        for org in organisations:
            if not EnterpriseAccessGrant.objects.filter(
                enterprise=firm, organisation=org, revoked_at__isnull=True
            ).exists():
                registry.grant_access(
                    actor=self.zone_officer,
                    enterprise_id=firm.pk,
                    organisation_id=org.pk,
                    purpose="科企梯度贷申请",
                )

    def originate(self, n: int, on: dt.date, firm: Any, tier: str) -> None:
        bank = self.users[BANKS[n % 2]]
        guarantor = self.zone.orgs[GUARANTOR_ON_PAPER if n % 3 == 2 else GUARANTOR_WITH_LOGIN]
        self.consent(firm, bank.organisation, guarantor)
        small = n in DEFAULTS or n == PENDING_DEFAULT
        app = services.apply(
            actor=bank,
            enterprise_id=firm.pk,
            bank_id=_org_id(bank),
            guarantor_id=guarantor.pk,
            on=on,
            **self.terms(tier, on, small, long=n in OVERDUE),
        )
        dd_day = on + dt.timedelta(days=self.rng.randint(3, 8))
        self.at(dd_day, lambda: self.diligence(app, dd_day))
        decided = dd_day + dt.timedelta(days=self.rng.randint(2, 5))
        self.at(decided, lambda: self.approve(app, decided))
        signed = decided + dt.timedelta(days=self.rng.randint(1, 4))
        self.at(signed, lambda: self.contract(n, app, bank, signed))

    def diligence(
        self, app: Application, on: dt.date, sides: tuple[str, ...] = ("bank", "g")
    ) -> None:
        if "bank" in sides:
            officer = next(
                self.users[b] for b in BANKS if self.users[b].organisation_id == app.bank_id
            )
            services.record_diligence(
                actor=officer,
                application_id=app.pk,
                favourable=True,
                opinion="企业研发投入稳定，订单充足，第一还款来源可靠。",
                on=on,
            )
        if "g" in sides:
            paper = app.guarantor.name == GUARANTOR_ON_PAPER
            services.record_diligence(
                actor=self.zone_officer if paper else self.users["guarantor"],
                party=Party.GUARANTOR,
                application_id=app.pk,
                favourable=True,
                opinion="反担保措施落实，同意提供担保。"
                + ("（据担保机构尽调意见函录入）" if paper else ""),
                on=on,
            )

    def approve(self, app: Application, on: dt.date) -> None:
        try:
            proposal = approvals.propose(
                action="lending.approve_application",
                payload={"application_id": app.pk, "date": on.isoformat()},
                reason="银行与担保机构尽调意见均为同意，符合梯度贷条件。",
                by=self.zone_officer,
            )
        except InvalidProposal:
            # The circuit breaker stops new inclusions at a bank whose NPL ratio has passed the
            # threshold (in a small registry one default weighs heavily): the file stays where
            # it is, and the loan it would have become is never made.
            return
        approvals.approve(proposal=proposal, by=self.reviewer, comment="同意纳入")

    def contract(self, n: int, app: Application, bank: Any, on: dt.date) -> None:
        app.refresh_from_db()
        if app.status != ApplicationStatus.APPROVED:
            return
        loan = services.sign_contract(
            actor=bank,
            application_id=app.pk,
            contract_number=f"YX-TL-{on.year}-{n + 1:03d}",
            signed_on=on,
            guarantee_fee_percent=Decimal("0.6"),
        )
        self.loans[n] = loan
        tranches = 2 if app.tier == Tier.LEADER else 1
        first = app.amount_fen // tranches
        for k, share in enumerate([first, app.amount_fen - first][:tranches]):
            day = on + dt.timedelta(days=45 * k)
            self.at(day, partial(self.disburse, n, bank, share, day))

    def disburse(self, n: int, bank: Any, amount: int, on: dt.date) -> None:
        loan = self.loans[n]
        services.disburse(
            actor=bank, loan_id=loan.pk, amount_fen=amount, on=on, first_due=add_months(on, 1)
        )
        dues = list(
            Instalment.objects.filter(loan=loan, disbursement__date=on)
            .values_list("due", flat=True)
            .order_by("due")
        )
        # A loan that stops paying leaves at least its last instalment unpaid.
        stop = min(self.stop[n], dues[-1]) if n in self.stop else dt.date.max
        for k, due in enumerate(dues):
            # Quarterly while long past (what is due is paid together), monthly near the demo
            # date, so that performing loans are current today.
            recent = due >= self.as_of - dt.timedelta(days=95)
            if due < stop and (recent or k % 3 == 2 or k == len(dues) - 1):
                self.at(due, partial(self.pay, n, bank, due))

    def pay(self, n: int, bank: Any, due: dt.date) -> None:
        loan = Loan.objects.get(pk=self.loans[n].pk)
        if loan.status != "active":
            return
        owed = amount_due(loan, due)
        if owed:
            services.repay(
                actor=bank,
                loan_id=loan.pk,
                amount_fen=owed,
                on=due,
                reference=f"RP{due:%Y%m%d}-{n}",
            )

    # --- defaults ------------------------------------------------------------------------------
    def default(
        self,
        n: int,
        claim_on: dt.date,
        compensate_on: dt.date | None,
        recover: tuple[dt.date, int] | None,
    ) -> None:
        def file() -> None:
            loan = self.loans.get(n)
            if loan is None:  # never made (the circuit breaker, see approve())
                return
            bank = self.users[BANKS[n % 2]]
            claim = services.file_claim(
                actor=bank,
                loan_id=loan.pk,
                on=claim_on,
                statement="企业主要客户回款停滞，已逾期90天以上，经催收无果，申请代偿。",
            )
            if compensate_on is not None:
                self.at(compensate_on, lambda: self.compensate(claim.pk, compensate_on))
            if recover is not None:
                self.at(recover[0], lambda: self.recover(claim.pk, *recover))

        self.at(claim_on, file)

    def compensate(self, claim_id: int, on: dt.date) -> None:
        proposal = approvals.propose(
            action="lending.compensate_claim",
            payload={"claim_id": claim_id, "date": on.isoformat()},
            reason="逾期天数达到代偿条件，材料齐全。",
            by=self.zone_officer,
        )
        approvals.approve(proposal=proposal, by=self.reviewer, comment="同意代偿")

    def recover(self, claim_id: int, on: dt.date, amount_fen: int) -> None:
        proposal = approvals.propose(
            action="lending.record_recovery",
            payload={
                "claim_id": claim_id,
                "amount_fen": amount_fen,
                "date": on.isoformat(),
                "source": "抵押设备司法拍卖款",
            },
            reason="法院执行款到账，按原分担比例返还。",
            by=self.zone_officer,
        )
        approvals.approve(proposal=proposal, by=self.reviewer, comment="同意")

    def write_off(self, n: int, on: dt.date) -> None:
        if n not in self.loans:
            return
        services.write_off(
            actor=self.users[BANKS[n % 2]],
            loan_id=self.loans[n].pk,
            on=on,
            note="代偿及追偿后剩余损失按行内核销程序核销。",
        )

    # --- what waits today ------------------------------------------------------------------------
    def queues(self, used: set[int]) -> int:
        made = 0
        for k, sides in enumerate([("g",), ("bank",), ("bank", "g"), ()]):
            on = self.as_of - dt.timedelta(days=4 - k)
            found = self.eligible(on, used)
            if found is None:
                continue
            firm, tier = found
            bank = self.users[BANKS[k % 2]]
            self.consent(firm, bank.organisation, self.zone.orgs[GUARANTOR_WITH_LOGIN])
            app = services.apply(
                actor=bank,
                enterprise_id=firm.pk,
                bank_id=_org_id(bank),
                guarantor_id=self.zone.orgs[GUARANTOR_WITH_LOGIN].pk,
                on=on,
                **self.terms(tier, on, small=False),
            )
            self.diligence(app, on, sides)
            made += 1
        return made


def build(zone: DemoZone) -> dict[str, int]:
    book = _Book(zone)
    used: set[int] = set()
    if zone.as_of < dt.date(2025, 12, 1):
        return {"tiered_loans": 0}
    span = (END - START).days
    firm_first = zone.firms[0]
    for n in range(LOANS):
        on = START + dt.timedelta(days=span * n // (LOANS - 1))
        # The demo firm's own login shows a loan of its own when it qualifies.
        own = rules.firm_tier(firm_first.pk, on, rules.Versions()) if n == 1 else None
        small = n in DEFAULTS or n == PENDING_DEFAULT
        found = (
            (firm_first, own[0])
            if own is not None
            else book.eligible(on, used, small, long=n in OVERDUE)
        )
        if found is None:
            continue
        used.add(found[0].pk)
        book.at(on, partial(book.originate, n, on, *found))
    recent_start, recent_end = END + dt.timedelta(days=14), zone.as_of - dt.timedelta(days=45)
    recent_span = (recent_end - recent_start).days
    for k in range(RECENT_LOANS if recent_span > 0 else 0):
        on = recent_start + dt.timedelta(days=recent_span * k // (RECENT_LOANS - 1))
        found = book.eligible(on, used)
        if found is not None:
            book.at(on, partial(book.originate, LOANS + k, on, *found))
    for n, days in OVERDUE.items():
        book.stop[n] = zone.as_of - dt.timedelta(days=days)
    book.stop[DEFAULTS[0]] = dt.date(2025, 1, 15)
    book.stop[DEFAULTS[1]] = dt.date(2025, 3, 20)
    book.stop[PENDING_DEFAULT] = zone.as_of - dt.timedelta(days=150)
    book.default(
        DEFAULTS[0], dt.date(2025, 6, 20), dt.date(2025, 7, 15), (dt.date(2025, 11, 10), 30_000_000)
    )
    book.default(DEFAULTS[1], dt.date(2025, 8, 5), dt.date(2025, 11, 20), None)
    book.at(dt.date(2025, 12, 15), lambda: book.write_off(DEFAULTS[0], dt.date(2025, 12, 15)))
    book.default(PENDING_DEFAULT, zone.as_of - dt.timedelta(days=25), None, None)
    book.replay()
    waiting = book.queues(used)
    return {"tiered_loans": Loan.objects.count(), "tiered_applications_waiting": waiting}
