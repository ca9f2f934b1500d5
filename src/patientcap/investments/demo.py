"""The demo zone's invest-first programme, reproducing the article (mission.md §1.1): 136 funded
projects, about ¥63M invested, 82 exited returning about ¥34M to the pool, and the demo firm
(firms[0]) paid exactly ¥2,000,000 in two tranches and converted to equity, so that matched
credit can match it 1:1.

`history` (2019 on) predates the platform: its rows are created in bulk, the cap-table events of
converted firms are recorded through the equity services, and its money (tranches, conversions,
write-offs, exits) goes into the zone's fiscal history, which `core.demo` books in one
date-ordered batch with the other programmes' pasts, each entry on its true date. Then `build`
takes a few projects through the real services and maker-checker so that every live stage has
something: applications awaiting review, a decision and a disbursement waiting in the approvals
queue, evidence awaiting a verdict, overdue milestones, a write-off proposal.

Deterministic for a given seed. With fewer than 30 enterprises there are fewer converted stakes
(one per firm): the sales among them become buybacks and the rest stay unconverted, so the
headline figures hold. Needs at least 6 enterprises and an as_of in 2026 or later (write-offs
use the loss tolerance in force from 2025-12-09).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from patientcap.approvals import services as approvals
from patientcap.core.demo import DemoZone
from patientcap.domain import invest_first as rules
from patientcap.domain.captable import InvestFirst
from patientcap.domain.captable import Variant as DomainVariant
from patientcap.domain.ledger import (
    FISCAL_POOL,
    JournalEntry,
    Posting,
    credit,
    debit,
    realisation,
)
from patientcap.domain.money import allocate, parse_amount
from patientcap.equity import services as equity
from patientcap.investments import services
from patientcap.investments.models import (
    HOLDER,
    Agreement,
    Conversion,
    Decision,
    DiligenceReview,
    Evidence,
    Exit,
    ExitRoute,
    Milestone,
    MilestoneStatus,
    Project,
    Review,
    Stage,
    Tranche,
    Verdict,
    WriteOff,
)

HISTORY_START = dt.date(2019, 4, 1)
HISTORY_END = dt.date(2025, 11, 30)  # the last historic cash movement
WRITE_OFFS_FROM = dt.date(2025, 12, 10)  # the loss tolerance is in force from 2025-12-09
FIRM_FEN = 200_000_000  # ¥2,000,000 to the demo firm (优宽空 in the article)
LIVE_FUNDED_FEN = 30_000_000  # the live project's first tranche
INVESTED_FEN = 6_300_000_000  # about ¥63M in all
EXITED_COST_FEN = 2_950_000_000  # the exited projects were the smaller ones
RETURNED_FEN = 3_400_000_000  # about ¥34M back to the pool
# Historic outcomes (the live project makes 136 funded).
BUYBACKS, SECONDARY, MERGERS, IPOS = 72, 6, 2, 2
WRITTEN_OFF, CONVERTED, DISBURSING, OVERDUE = 24, 16, 13, 5
CONVERTED_FIRMS = CONVERTED + SECONDARY + MERGERS + IPOS  # one converted stake per firm
LIVE_FIRMS = 4  # firms of the projects taken through the services
FOUNDER_SHARES = 10_000_000
EVIDENCE = "investments/evidence/demo/第三方检测报告.pdf"
EVIDENCE_BYTES = b"%PDF-1.4\n% demo evidence: third-party test report\n"

TOPICS = [
    "AI 教育数据平台",
    "工业视觉质检系统",
    "固态电池电解质",
    "车规级毫米波雷达",
    "mRNA 递送载体",
    "碳化硅功率模块",
    "农业无人机植保",
    "智能网联测试平台",
    "高通量基因测序仪",
    "氢燃料电池双极板",
    "柔性显示驱动芯片",
    "工业互联网安全网关",
    "骨科手术机器人",
    "低空物流调度系统",
    "光伏钙钛矿组件",
    "量子随机数发生器",
    "数字孪生水务平台",
    "可降解医用材料",
    "边缘计算推理芯片",
    "声学超材料降噪",
]
MILESTONES = [
    ("原型机研制", "样机台数", "3", "第三方检测报告"),
    ("中试验证", "中试批次良率", "≥90%", "中试报告及质检记录"),
    ("首个订单", "签约合同金额", "≥100万元", "销售合同及发票"),
    ("核心专利", "发明专利申请", "2", "专利受理通知书"),
]


@dataclass
class _Plan:
    """One historic project before it is saved: its outcome, dates and money."""

    outcome: (
        str  # buyback, secondary_sale, merger_acquisition, ipo, written_off, converted, disbursing
    )
    firm: Any
    amount_fen: int
    applied: dt.date
    tranche_dates: list[dt.date]
    tranche_fen: list[int]
    resolved_on: dt.date | None = None  # write-off or exit date
    converted: dt.date | None = None
    rate: Decimal = Decimal("0.035")
    proceeds_fen: int = 0
    project: Project | None = None
    conversion: Any = None  # the cap-table conversion row (equity app)
    tranches: list[Tranche] = field(default_factory=list)

    @property
    def signed(self) -> dt.date:
        return self.applied + dt.timedelta(days=50)

    @property
    def resolved(self) -> dt.date:
        assert self.resolved_on is not None, self.outcome
        return self.resolved_on

    @property
    def paid_fen(self) -> int:
        return sum(self.tranche_fen)


def history(zone: DemoZone) -> None:
    if len(zone.firms) < 2 + LIVE_FIRMS:
        raise ValueError("the invest-first demo needs at least 6 enterprises")
    past = _History(zone)
    past.plan()
    past.save()


def build(zone: DemoZone) -> dict[str, int]:
    _Live(zone, _split(zone.firms)[1]).build()
    return {
        "invest_first_projects": Project.objects.count(),
        "invest_first_exits": Exit.objects.count(),
    }


def _split(firms: list[Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """The firms with a converted stake (the longest-registered, one stake each; firms[0], the
    demo firm, is converted apart), the firms of the live projects, and the rest."""
    room = min(CONVERTED_FIRMS - 1, len(firms) - 2 - LIVE_FIRMS)  # keep a firm for the others
    converted = sorted(firms[1:], key=lambda f: (f.registration_date, f.pk))[:room]
    unconverted = [f for f in firms[1:] if f not in converted]
    return converted, unconverted[:LIVE_FIRMS], unconverted[LIVE_FIRMS:]


def _entry(day: dt.date, memo: str, key: str, postings: tuple[Posting, ...]) -> JournalEntry:
    return JournalEntry(
        book=FISCAL_POOL, date=day, memo=memo, idempotency_key=key, postings=postings
    )


class _History:
    def __init__(self, zone: DemoZone) -> None:
        self.zone, self.rng = zone, zone.rng
        self.zone_officer, self.reviewer = zone.users["zone"], zone.users["reviewer"]
        self.start = HISTORY_START
        self.end = min(HISTORY_END, zone.as_of - dt.timedelta(days=30))
        self.plans: list[_Plan] = []
        self.converted_firms, self.live_firms, self.others = _split(zone.firms)

    # --- dates ---------------------------------------------------------------------------------
    def _at(self, fraction: float) -> dt.date:
        return self.start + dt.timedelta(days=int((self.end - self.start).days * fraction))

    def _span(self, days: int) -> dt.timedelta:
        """`days` in a full 2019–2025 history, shortened in proportion to a shorter window."""
        full = (HISTORY_END - HISTORY_START).days
        return dt.timedelta(days=max(7, days * (self.end - self.start).days // full))

    # --- the plan ------------------------------------------------------------------------------
    def plan(self) -> None:
        firms = self.zone.firms
        # One converted stake per firm (see _split); firms[0] is the demo firm, converted too.
        wanted = (
            ["secondary_sale"] * SECONDARY
            + ["merger_acquisition"] * MERGERS
            + ["ipo"] * IPOS
            + ["converted"] * (CONVERTED - 1)
        )
        converted_firms, others = self.converted_firms, self.others
        room = len(converted_firms)
        outcomes, dropped = wanted[:room], wanted[room:]
        unconverted = (
            ["buyback"] * BUYBACKS + ["written_off"] * WRITTEN_OFF + ["disbursing"] * DISBURSING
            + ["disbursing" if o == "converted" else "buyback" for o in dropped]
        )  # fmt: skip
        exited = BUYBACKS + SECONDARY + MERGERS + IPOS
        others_total = INVESTED_FEN - FIRM_FEN - LIVE_FUNDED_FEN - EXITED_COST_FEN
        exited_amounts = self._amounts(EXITED_COST_FEN, exited, 10_000_000)
        other_amounts = self._amounts(
            others_total, len(outcomes) + len(unconverted) - exited, 20_000_000
        )
        specs: list[tuple[str, Any]] = [("converted", firms[0])]
        specs += list(zip(outcomes, converted_firms, strict=True))
        specs += [(o, others[i % len(others)]) for i, o in enumerate(unconverted)]
        exit_amounts, other_amounts_left = iter(exited_amounts), iter(other_amounts)
        for outcome, firm in specs:
            is_exit = outcome in ExitRoute.values
            amount = (
                FIRM_FEN
                if firm is firms[0]
                else next(exit_amounts if is_exit else other_amounts_left)
            )
            self.plans.append(self._dated(outcome, firm, amount))
        self.plans[0] = self._firm_plan(firms[0])
        self._proceeds()

    def _amounts(self, total_fen: int, n: int, floor_fen: int) -> list[int]:
        """`n` amounts in whole 万元 adding up to `total_fen`, each at least `floor_fen`."""
        unit = 1_000_000  # 1万元
        weights = [self.rng.randint(1, 6) for _ in range(n)]
        spare = total_fen // unit - n * (floor_fen // unit)
        return [floor_fen + unit * part for part in allocate(spare, weights)]

    def _dated(self, outcome: str, firm: Any, amount: int) -> _Plan:
        rng = self.rng
        late = outcome in ("converted", "disbursing", "written_off")
        applied = self._at(rng.uniform(0.25, 0.7) if late else rng.uniform(0.0, 0.55))
        # A firm applies at the earliest half a year after its registration.
        applied = min(max(applied, firm.registration_date + dt.timedelta(days=180)), self._at(0.7))
        first = applied + dt.timedelta(days=50 + rng.randint(7, 20))
        latest = self.end - dt.timedelta(days=90)  # leaves room for what follows the money
        if first > latest:
            first, applied = latest, latest - dt.timedelta(days=60)
        second = first + self._span(365)
        if amount >= 600_000_00 and rng.random() < 0.8 and second <= latest:
            half = amount // 2 // 1_000_000 * 1_000_000
            dates, parts = [first, second], [half, amount - half]
        else:
            dates, parts = [first], [amount]
        plan = _Plan(outcome, firm, amount, applied, dates, parts)
        plan.rate = Decimal(rng.choice(["0.03", "0.035", "0.04"]))
        last = dates[-1]
        if outcome in ("converted", "secondary_sale", "merger_acquisition", "ipo"):
            plan.converted = min(
                last + self._span(rng.randint(200, 400)), self.end - dt.timedelta(days=60)
            )
        if outcome in ExitRoute.values:
            earliest = (plan.converted or last) + dt.timedelta(days=30)
            plan.resolved_on = min(
                self.end, max(earliest, last + self._span(rng.randint(500, 1100)))
            )
        if outcome == "written_off":
            days = (self.zone.as_of - dt.timedelta(days=31) - WRITE_OFFS_FROM).days
            plan.resolved_on = WRITE_OFFS_FROM + dt.timedelta(days=rng.randint(0, max(0, days)))
        return plan

    def _firm_plan(self, firm: Any) -> _Plan:
        """The article's firm: ¥2,000,000 in two tranches, converted at an agreed valuation."""
        first = max(self.start, dt.date(2025, 4, 15))
        dates = [first, first + dt.timedelta(days=180)]
        plan = _Plan(
            "converted",
            firm,
            FIRM_FEN,
            first - dt.timedelta(days=60),
            dates,
            [FIRM_FEN // 2, FIRM_FEN // 2],
        )
        plan.converted = dates[1] + dt.timedelta(days=35)
        return plan

    def _proceeds(self) -> None:
        """Buybacks by the agreement's formula; the sales, mergers and IPOs share what is left of
        the ¥34M returned."""
        buybacks = [p for p in self.plans if p.outcome == "buyback"]
        for p in buybacks:
            terms = rules.BuybackTerms(
                p.rate, floor_fen=p.amount_fen, cap_fen=p.amount_fen * 13 // 10
            )
            paid = list(zip(p.tranche_dates, p.tranche_fen, strict=True))
            p.proceeds_fen = rules.buyback_price(terms, paid, p.resolved).price_fen
        sales = [
            p for p in self.plans if p.outcome in ("secondary_sale", "merger_acquisition", "ipo")
        ]
        left = RETURNED_FEN - sum(p.proceeds_fen for p in buybacks)
        for p, part in zip(sales, allocate(left, [p.amount_fen for p in sales]), strict=True):
            p.proceeds_fen = part

    # --- saving --------------------------------------------------------------------------------
    def save(self) -> None:
        if not default_storage.exists(EVIDENCE):
            default_storage.save(EVIDENCE, ContentFile(EVIDENCE_BYTES))
        officer, reviewer = self.zone_officer, self.reviewer
        rng = self.rng
        projects = Project.objects.bulk_create(
            Project(
                enterprise=p.firm,
                title=f"{TOPICS[i % len(TOPICS)]}（{p.firm.name[:6]}）",
                plan="围绕核心技术开展研发与中试，形成可验证的技术与市场成果。",
                requested_fen=p.amount_fen,
                stage=self._stage(p),
                applied_on=p.applied,
                applied_by=officer,
            )
            for i, p in enumerate(self.plans)
        )
        for p, project in zip(self.plans, projects, strict=True):
            p.project = project
        Review.objects.bulk_create(
            Review(
                project=p.project,
                reviewer=reviewer,
                score=Decimal(rng.randint(68, 95)),
                opinion="技术路线清晰，团队具备研发能力，建议支持。",
                reviewed_on=p.applied + dt.timedelta(days=15),
            )
            for p in self.plans
        )
        Decision.objects.bulk_create(
            Decision(
                project=p.project,
                approved=True,
                amount_fen=p.amount_fen,
                decided_on=p.applied + dt.timedelta(days=35),
                comment="投资决策委员会审议通过",
                made_by=officer,
                checked_by=reviewer,
            )
            for p in self.plans
        )
        agreements = Agreement.objects.bulk_create(self._agreement(p) for p in self.plans)
        tranches = Tranche.objects.bulk_create(
            Tranche(agreement=a, number=n, due_on=day, amount_fen=fen, disbursed_on=day)
            for p, a in zip(self.plans, agreements, strict=True)
            for n, (day, fen) in enumerate(zip(p.tranche_dates, p.tranche_fen, strict=True), 1)
        )
        by_agreement: dict[int, list[Tranche]] = {}
        for t in tranches:
            by_agreement.setdefault(t.agreement_id, []).append(t)
        for p, a in zip(self.plans, agreements, strict=True):
            p.tranches = by_agreement[a.pk]
        self._milestones(agreements)
        diligence = self._diligence()
        self._cap_tables()
        for day_order, entry in self._entries():
            self.zone.history.add(entry, day_order)
        self.zone.history.then(lambda entry_of: self._money_rows(entry_of, diligence))
        self._rejected()

    @staticmethod
    def _stage(p: _Plan) -> str:
        if p.outcome in ExitRoute.values:
            return Stage.EXITED
        return {"written_off": Stage.WRITTEN_OFF, "converted": Stage.CONVERTED}.get(
            p.outcome, Stage.DISBURSING
        )

    def _agreement(self, p: _Plan) -> Agreement:
        rng = self.rng
        signed = p.signed
        deadline = max(p.tranche_dates[-1] + self._span(900), signed + dt.timedelta(days=400))
        if p.outcome == "written_off":
            deadline = min(deadline, p.resolved - dt.timedelta(days=20))
        return Agreement(
            project=p.project,
            amount_fen=p.amount_fen,
            signed_on=signed,
            variant=DomainVariant.AGREED_VALUATION.value,
            agreed_valuation_fen=p.amount_fen * rng.choice([10, 12, 15, 20]),
            conversion_deadline=deadline,
            trigger_event="完成≥1000万元的市场化融资且有领投机构",
            buyback_rate=p.rate,
            buyback_floor_fen=p.amount_fen,
            buyback_cap_fen=p.amount_fen * 13 // 10,
            loss_tolerance=None,
            policy_version="",
            created_by=self.zone_officer,
        )

    def _milestones(self, agreements: list[Agreement]) -> None:
        rng, reviewer = self.rng, self.reviewer
        overdue = 0
        rows: list[tuple[_Plan, Milestone]] = []
        for p, a in zip(self.plans, agreements, strict=True):
            for n, (what, measure, target, proof) in enumerate(rng.sample(MILESTONES, 2), 1):
                due = a.signed_on + self._span(300 * n)
                status = {
                    "written_off": MilestoneStatus.FAILED if n == 1 else MilestoneStatus.PENDING,
                    "disbursing": MilestoneStatus.PENDING,
                }.get(p.outcome, MilestoneStatus.MET)
                if p.outcome == "disbursing":
                    if overdue < OVERDUE and n == 1:
                        due, overdue = (
                            self.zone.as_of - dt.timedelta(days=rng.randint(5, 60)),
                            overdue + 1,
                        )
                    else:
                        due = self.zone.as_of + dt.timedelta(days=rng.randint(30, 400))
                if p.converted is not None and due >= p.converted:
                    due = p.converted - dt.timedelta(days=20 * (3 - n))
                rows.append(
                    (
                        p,
                        Milestone(
                            agreement=a,
                            number=n,
                            what=what,
                            measure=measure,
                            target=target,
                            due_on=due,
                            evidence_required=proof,
                            status=status,
                        ),
                    )
                )
        milestones = Milestone.objects.bulk_create(m for _, m in rows)
        judged = [
            (p, m)
            for (p, _), m in zip(rows, milestones, strict=True)
            if m.status in (MilestoneStatus.MET, MilestoneStatus.FAILED)
        ]
        evidence = Evidence.objects.bulk_create(
            Evidence(
                milestone=m,
                file=EVIDENCE,
                note="里程碑佐证材料",
                submitted_by=self.zone_officer,
                submitted_on=m.due_on - dt.timedelta(days=10),
            )
            for _, m in judged
        )
        Verdict.objects.bulk_create(
            Verdict(
                milestone=m,
                evidence=e,
                met=m.status == MilestoneStatus.MET,
                comment="达到约定指标" if m.status == MilestoneStatus.MET else "未达到约定指标",
                given_by=reviewer,
                given_on=m.due_on - dt.timedelta(days=3),
            )
            for (_, m), e in zip(judged, evidence, strict=True)
        )

    def _diligence(self) -> dict[int, DiligenceReview]:
        rows = DiligenceReview.objects.bulk_create(
            DiligenceReview(
                project=p.project,
                reviewed_on=p.resolved - dt.timedelta(days=14),
                findings="团队勤勉尽责，技术路线未达预期，符合尽职免责条件。",
                duly_diligent=True,
                recovered_fen=0,
                by=self.reviewer,
            )
            for p in self.plans
            if p.outcome == "written_off"
        )
        return {r.project_id: r for r in rows}

    def _cap_tables(self) -> None:
        """Open the converted firms' cap tables, convert the invest-first money (variant B, the
        agreed valuation) and record the exits of the converted stakes."""
        officer = self.zone_officer
        for p in self.plans:
            if p.converted is None:
                continue
            project = p.project
            assert project is not None
            source = f"investments.project:{project.pk}"
            equity.open_cap_table(
                enterprise_id=p.firm.pk,
                founders=[(p.firm.legal_representative or "创始团队", FOUNDER_SHARES)],
                on=min(p.firm.registration_date, p.applied),
                actor=officer,
                source=source,
            )
            agreement = project.agreement
            instrument = InvestFirst(
                HOLDER,
                p.paid_fen,
                DomainVariant.AGREED_VALUATION,
                agreed_valuation_fen=agreement.agreed_valuation_fen,
            )
            row = equity.convert_invest_first(
                enterprise_id=p.firm.pk,
                instrument=instrument,
                on=p.converted,
                actor=officer,
                source=source,
            )
            p.conversion = row
            if p.outcome == "converted":
                equity.track_converted_invest_first(
                    enterprise_id=p.firm.pk,
                    holder=HOLDER,
                    on=p.converted,
                    actor=officer,
                    plan=services.default_exit_plan(agreement),
                )
            elif p.outcome == "merger_acquisition":
                stake = row.stake
                value = int(Decimal(p.proceeds_fen) / stake)
                sale = equity.record_exit(
                    enterprise_id=p.firm.pk,
                    on=p.resolved,
                    proceeds_fen=value,
                    actor=officer,
                    source=source,
                )
                p.proceeds_fen = sale.payouts.get(HOLDER, 0)
            else:
                buyer = "某产业基金" if p.outcome == "secondary_sale" else "二级市场"
                equity.transfer_holding(
                    enterprise_id=p.firm.pk,
                    holder=HOLDER,
                    shares=row.shares,
                    buyer=buyer,
                    on=p.resolved,
                    proceeds_fen=p.proceeds_fen,
                    actor=officer,
                    source=source,
                )

    # --- the books -------------------------------------------------------------------------------
    def _entries(self) -> list[tuple[int, JournalEntry]]:
        """Every historic entry with its place in its day: tranches (1) before conversions (2)
        before exits and write-offs (3); the fiscal contributions (0) come first."""
        dated: list[tuple[int, JournalEntry]] = []
        for p in self.plans:
            project = p.project
            assert project is not None
            pk, title = project.pk, project.title
            for t, paid_on in zip(p.tranches, p.tranche_dates, strict=True):
                postings = (
                    debit(services.INVESTED, t.amount_fen),
                    credit(services.CASH, t.amount_fen),
                )
                memo = f"先投后股拨付：{title} 第{t.number}笔"
                dated.append((1, _entry(paid_on, memo, f"invest-first:tranche:{t.pk}", postings)))
            if p.converted is not None:
                postings = (
                    debit(services.EQUITY, p.paid_fen),
                    credit(services.INVESTED, p.paid_fen),
                )
                memo = f"先投后股转股：{title}"
                dated.append(
                    (2, _entry(p.converted, memo, f"invest-first:conversion:{pk}", postings))
                )
            if p.outcome == "written_off":
                postings = (
                    debit("fiscal_pool.write_off_losses", p.paid_fen),
                    credit(services.INVESTED, p.paid_fen),
                )
                memo = f"先投后股容亏核销：{title}"
                dated.append(
                    (3, _entry(p.resolved, memo, f"invest-first:write-off:{pk}", postings))
                )
            if p.outcome in ExitRoute.values:
                dated.append((3, self._exit_entry(p)))
        return dated

    def _exit_entry(self, p: _Plan) -> JournalEntry:
        project = p.project
        assert project is not None and p.resolved_on is not None
        cost, proceeds = p.paid_fen, p.proceeds_fen
        holding = services.EQUITY if p.converted else services.INVESTED
        return _entry(
            p.resolved,
            f"先投后股退出（{ExitRoute(p.outcome).label}）：{project.title}",
            f"invest-first:exit:{project.pk}",
            tuple(realisation(holding, cost, proceeds)),
        )

    def _money_rows(self, entry_of: dict[str, int], diligence: dict[int, DiligenceReview]) -> None:
        tranches = [t for p in self.plans for t in p.tranches]
        for t in tranches:
            t.entry_id = entry_of[f"invest-first:tranche:{t.pk}"]
        Tranche.objects.bulk_update(tranches, ["entry"])
        conversions, write_offs, exits = [], [], []
        for p in self.plans:
            project = p.project
            assert project is not None
            agreement = project.agreement
            if p.converted is not None:
                row = p.conversion
                conversions.append(
                    Conversion(
                        project=project,
                        converted_on=p.converted,
                        variant=agreement.variant,
                        amount_fen=p.paid_fen,
                        shares=row.shares,
                        price=row.price,
                        stake=row.stake,
                        residue_fen=row.residue_fen,
                        terms=services.conversion_terms(agreement),
                        policy_version=agreement.policy_version,
                        entry_id=entry_of[f"invest-first:conversion:{project.pk}"],
                    )
                )
            if p.outcome == "written_off":
                tolerance = services.tolerance_in_force(p.resolved)
                assert tolerance is not None
                result = rules.write_off(
                    disbursed_fen=p.paid_fen, recovered_fen=0, tolerance=tolerance[0]
                )
                write_offs.append(
                    WriteOff(
                        project=project,
                        diligence=diligence[project.pk],
                        written_off_on=p.resolved,
                        disbursed_fen=p.paid_fen,
                        recovered_fen=0,
                        loss_fen=result.loss_fen,
                        loss_ratio=result.loss_ratio,
                        tolerance=tolerance[0],
                        policy_version=tolerance[1],
                        entry_id=entry_of[f"invest-first:write-off:{project.pk}"],
                    )
                )
            if p.outcome in ExitRoute.values:
                realised = rules.realise_exit(
                    rules.ExitRoute(p.outcome), cost_fen=p.paid_fen, proceeds_fen=p.proceeds_fen
                )
                buyer = {
                    "buyback": "创始团队",
                    "secondary_sale": "某产业基金",
                    "merger_acquisition": "并购方",
                    "ipo": "二级市场",
                }[p.outcome]
                exits.append(
                    Exit(
                        project=project,
                        route=p.outcome,
                        exited_on=p.resolved,
                        buyer=buyer,
                        shares=p.conversion.shares if p.conversion is not None else None,
                        cost_fen=realised.cost_fen,
                        proceeds_fen=realised.proceeds_fen,
                        gain_fen=realised.gain_fen,
                        multiple=realised.multiple,
                        terms={"rate": str(p.rate)} if p.outcome == "buyback" else {},
                        entry_id=entry_of[f"invest-first:exit:{project.pk}"],
                    )
                )
        Conversion.objects.bulk_create(conversions)
        WriteOff.objects.bulk_create(write_offs)
        Exit.objects.bulk_create(exits)

    def _rejected(self) -> None:
        """Two applications the committee turned down."""
        officer, reviewer = self.zone_officer, self.reviewer
        for i, firm in enumerate(self.live_firms[2:]):
            applied = self._at(0.3 + 0.2 * i)
            project = Project.objects.create(
                enterprise=firm,
                title=f"{TOPICS[-1 - i]}（{firm.name[:6]}）",
                plan="研发计划",
                requested_fen=80_000_000,
                stage=Stage.REJECTED,
                applied_on=applied,
                applied_by=officer,
            )
            Review.objects.create(
                project=project,
                reviewer=reviewer,
                score=Decimal(52),
                opinion="技术成熟度不足，市场前景不明朗。",
                reviewed_on=applied + dt.timedelta(days=15),
            )
            Decision.objects.create(
                project=project,
                approved=False,
                decided_on=applied + dt.timedelta(days=35),
                comment="暂不支持",
                made_by=officer,
                checked_by=reviewer,
            )


class _Live:
    """Projects taken through the real services and approvals, dated around as_of."""

    def __init__(self, zone: DemoZone, firms: list[Any]) -> None:
        self.zone = zone
        self.officer, self.reviewer = zone.users["zone"], zone.users["reviewer"]
        self.as_of = zone.as_of
        self.firms = firms

    def day(self, back: int) -> dt.date:
        return self.as_of - dt.timedelta(days=back)

    def apply(self, firm: Any, title: str, amount: str, back: int) -> Project:
        return services.apply(
            enterprise_id=firm.pk,
            title=title,
            plan="面向产业需求开展关键技术攻关与样机研制。",
            requested_fen=parse_amount(amount),
            on=self.day(back),
            actor=self.officer,
        )

    def review(self, project: Project, back: int, score: str = "84") -> None:
        services.add_review(
            project_id=project.pk,
            score=Decimal(score),
            opinion="创新性强，团队完整，建议支持。",
            on=self.day(back),
            actor=self.reviewer,
        )

    def decided(self, project: Project, amount: str, back: int) -> None:
        proposal = approvals.propose(
            action="investments.decide",
            payload={
                "project_id": project.pk,
                "approved": True,
                "amount": amount,
                "date": self.day(back).isoformat(),
                "comment": "同意支持",
            },
            reason="投资决策委员会审议通过",
            by=self.officer,
        )
        approvals.approve(proposal=proposal, by=self.reviewer, comment="复核同意")

    def build(self) -> None:
        a, b, c, d = self.firms
        for firm, title, back in (
            (a, "类脑计算芯片", 4),
            (b, "海洋传感网络", 2),
            (c, "细胞治疗工艺", 1),
        ):
            self.apply(firm, title, "50万", back)
        reviewing = self.apply(d, "城市级数字孪生", "80万", 20)
        self.review(reviewing, 12)
        proposing = self.apply(a, "新型储能热管理", "60万", 40)
        self.review(proposing, 30)
        approvals.propose(
            action="investments.decide",
            payload={
                "project_id": proposing.pk,
                "approved": True,
                "amount": "60万",
                "date": self.day(3).isoformat(),
                "comment": "建议支持",
            },
            reason="评审通过，提请投资决策委员会决定",
            by=self.officer,
        )
        approved = self.apply(b, "智能康复外骨骼", "50万", 60)
        self.review(approved, 50)
        self.decided(approved, "50万", 40)
        signed = self.apply(c, "高精度北斗授时模块", "40万", 90)
        self.review(signed, 80)
        self.decided(signed, "40万", 70)
        services.sign_agreement(
            project_id=signed.pk,
            signed_on=self.day(60),
            amount_fen=40_000_000,
            variant="B",
            agreed_valuation_fen=400_000_000,
            conversion_deadline=self.day(-720),
            tranches=[(self.day(-10), 20_000_000), (self.day(-375), 20_000_000)],
            milestones=[
                {
                    "what": "样机研制",
                    "measure": "授时精度",
                    "target": "≤20ns",
                    "due": self.day(-200),
                    "evidence_required": "第三方检测报告",
                }
            ],
            buyback_rate=Decimal("0.035"),
            buyback_floor_fen=40_000_000,
            buyback_cap_fen=52_000_000,
            actor=self.officer,
        )
        tranche = signed.agreement.tranches.get(number=1)
        approvals.propose(
            action="investments.disburse",
            payload={"tranche_id": tranche.pk, "date": self.day(-10).isoformat()},
            reason="首笔资金按协议拨付",
            by=self.officer,
        )
        self.funded(d)
        self.write_off_proposal()

    def funded(self, firm: Any) -> None:
        """A project paid its first tranche, with evidence awaiting a reviewer's verdict."""
        project = self.apply(firm, "工业大模型质检平台", "60万", 150)
        self.review(project, 140)
        self.decided(project, "60万", 125)
        services.sign_agreement(
            project_id=project.pk,
            signed_on=self.day(110),
            amount_fen=60_000_000,
            variant="A",
            discount=Decimal("0.2"),
            conversion_deadline=self.day(-900),
            trigger_event="完成≥1000万元的市场化融资且有领投机构",
            tranches=[
                (self.day(100), LIVE_FUNDED_FEN),
                (self.day(-265), 60_000_000 - LIVE_FUNDED_FEN),
            ],
            milestones=[
                {
                    "what": "模型训练完成",
                    "measure": "缺陷检出率",
                    "target": "≥98%",
                    "due": self.day(5),
                    "evidence_required": "测试报告",
                },
                {
                    "what": "首个订单",
                    "measure": "合同金额",
                    "target": "≥100万元",
                    "due": self.day(-300),
                    "evidence_required": "销售合同",
                },
            ],
            buyback_rate=Decimal("0.035"),
            buyback_floor_fen=60_000_000,
            buyback_cap_fen=78_000_000,
            actor=self.officer,
        )
        tranche = project.agreement.tranches.get(number=1)
        proposal = approvals.propose(
            action="investments.disburse",
            payload={"tranche_id": tranche.pk, "date": self.day(20).isoformat()},
            reason="首笔资金按协议拨付",
            by=self.officer,
        )
        approvals.approve(proposal=proposal, by=self.reviewer, comment="复核同意")
        milestone = project.agreement.milestones.get(number=1)
        services.submit_evidence(
            milestone_id=milestone.pk,
            file=ContentFile(EVIDENCE_BYTES, name="测试报告.pdf"),
            note="第三方测试报告",
            on=self.day(3),
            actor=self.officer,
        )

    def write_off_proposal(self) -> None:
        """A historic project whose first milestone failed: diligence recorded, write-off
        proposed and waiting for the checker."""
        project = (
            Project.objects.filter(
                stage=Stage.DISBURSING, agreement__milestones__due_on__lt=self.as_of
            )
            .order_by("pk")
            .first()
        )
        assert project is not None
        milestone = project.agreement.milestones.filter(due_on__lt=self.as_of).order_by("number")[0]
        services.submit_evidence(
            milestone_id=milestone.pk,
            file=ContentFile(EVIDENCE_BYTES, name="中期报告.pdf"),
            note="中期评估报告",
            on=self.day(8),
            actor=self.officer,
        )
        services.give_verdict(
            milestone_id=milestone.pk,
            met=False,
            comment="关键指标未达到",
            on=self.day(6),
            actor=self.reviewer,
        )
        review = services.record_diligence(
            project_id=project.pk,
            on=self.day(4),
            actor=self.reviewer,
            findings="专项审计确认资金按计划使用，团队勤勉尽责，技术路线失败，符合尽职免责条件。",
        )
        approvals.propose(
            action="investments.write_off",
            payload={
                "project_id": project.pk,
                "diligence_id": review.pk,
                "date": self.day(2).isoformat(),
            },
            reason="里程碑未达成，经尽职调查符合容亏核销条件",
            by=self.officer,
        )
