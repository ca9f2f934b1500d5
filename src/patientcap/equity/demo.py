"""The demo zone's 凤栖 angel fund: about 32 holdings made over 2021–2025 (priced angel rounds,
post- and pre-money SAFEs, convertible notes), follow-on rounds with option-pool top-ups that
convert them, one down round under broad-based weighted-average and one under full-ratchet
anti-dilution, co-investments beside converted invest-first stakes, and a few exits (two trade
sales paid by the waterfall, a secondary sale, a founder buyback at a loss). Every holding has its
exit plan and next-round tracker; the latest rounds leave some reviews due.

`history` records the cap tables through the equity services in date order. Firms whose table
the invest-first demo opened are reused (`open_cap_table` is idempotent for the same founders,
and refuses different ones; their tables are extended only after their latest event and only
while not exited). The fund's money — its fiscal allocation (ANGEL_ALLOCATION), investments and
exits — goes into the zone's fiscal history, which `core.demo` books in one date-ordered batch
with the invest-first past, each entry on its true date. `build` then takes one investment live
through maker-checker on as_of and leaves one more waiting in the approvals queue.

Deterministic for a given seed (`zone.rng`); works from 40 enterprises up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from patientcap.approvals import services as approvals
from patientcap.core.demo import DemoZone, contribution
from patientcap.domain.captable import (
    AntiDilution,
    ConvertibleNote,
    DayCount,
    Investment,
    Participation,
    PostMoneySafe,
    PreMoneySafe,
    ShareClass,
)
from patientcap.domain.ledger import FISCAL_POOL
from patientcap.equity import selectors, services, store
from patientcap.equity.models import AngelHolding, AngelInvestment, CapTableEvent, EventKind

HOLDINGS = 32
START = dt.date(2021, 1, 11)
# The fund's fiscal allocation into the pool, before its first investment (fictional document).
ANGEL_ALLOCATION = (dt.date(2021, 1, 4), "3000万")
WAN = 1_000_000  # fen in 万元
CO_INVESTORS = (
    "云溪创投",
    "高新产业基金",
    "红杉种子",
    "启明创投",
    "深创投",
    "中科创星",
    "元禾原点",
)
FOLLOW_ON_LEADS = ("高瓴创投", "经纬中国", "君联资本", "IDG资本", "达晨财智", "毅达资本")
BUYERS = ("某产业并购基金", "上市公司云岭科技", "省级产业投资基金")
ROUTES = ("trade_sale", "secondary", "ipo", "buyback")


@dataclass
class _Firm:
    firm: Any
    first: dt.date  # the fund's first money
    opened_by_us: bool


def history(zone: DemoZone) -> None:
    fund = _Fund(zone)
    fund.history()
    fund.book()


def build(zone: DemoZone) -> dict[str, int]:
    _Fund(zone).live()
    return {
        "angel_holdings": AngelHolding.objects.count(),
        "angel_investments": AngelInvestment.objects.count(),
        "cap_tables": CapTableEvent.objects.filter(kind=EventKind.OPEN).count(),
    }


class _Fund:
    def __init__(self, zone: DemoZone) -> None:
        self.zone, self.rng = zone, zone.rng
        self.officer, self.reviewer = zone.users["zone"], zone.users["reviewer"]
        self.as_of = zone.as_of
        self.end = min(dt.date(2025, 9, 30), self.as_of - dt.timedelta(days=60))
        self.deferred: list[tuple[dt.date, str, Any]] = []  # (date, kind, row) to book

    # --- which firms ------------------------------------------------------------------------
    def _firms(self) -> list[_Firm]:
        """Firms without a cap table first (the fund opens theirs), then up to six with a live
        converted invest-first stake (the fund co-invests in their next round)."""
        firms = self.zone.firms[1:]  # firms[0] is the demo firm: its table is the invest-first one
        opened = set(
            CapTableEvent.objects.filter(kind=EventKind.OPEN).values_list(
                "enterprise_id", flat=True
            )
        )
        latest_start = self.end - dt.timedelta(days=400)
        fresh = [f for f in firms if f.pk not in opened and f.registration_date <= latest_start]
        fresh.sort(key=lambda f: (f.registration_date, f.pk))  # the oldest firms first
        chosen: list[_Firm] = []
        span = (self.end - START).days - 400
        for i, firm in enumerate(fresh[: HOLDINGS - 6]):
            first = START + dt.timedelta(days=span * i // max(1, HOLDINGS - 6))
            chosen.append(_Firm(firm, max(first, firm.registration_date), True))
        for firm in [f for f in firms if f.pk in opened]:
            if len(chosen) >= HOLDINGS:
                break
            events = CapTableEvent.objects.filter(enterprise=firm)
            if events.filter(kind=EventKind.EXIT).exists():
                continue
            latest = max(e.on for e in events)
            if latest + dt.timedelta(days=30) <= self.end:
                chosen.append(_Firm(firm, latest + dt.timedelta(days=30), False))
        return chosen

    # --- history --------------------------------------------------------------------------------
    def history(self) -> None:
        for i, f in enumerate(self._firms()):
            if f.opened_by_us:
                services.open_cap_table(
                    enterprise_id=f.firm.pk,
                    founders=[
                        (f.firm.legal_representative or "创始人", 6_000_000 + 100_000 * (i % 7)),
                        ("联合创始人", 2_000_000 + 50_000 * (i % 5)),
                    ],
                    on=f.first - dt.timedelta(days=60),
                    actor=self.officer,
                    source="demo",
                    pool_unallocated=1_000_000,
                )
            self._holding(i, f)

    def _plan(self, i: int, on: dt.date) -> dict[str, Any]:
        return {
            "exit_route": ROUTES[i % len(ROUTES)],
            "exit_horizon_years": 5 + i % 4,
            "target_multiple": Decimal(3 + i % 5),
            "next_round_expected_on": on + dt.timedelta(days=365 + 30 * (i % 6)),
            "next_round_expected_fen": (1000 + 500 * (i % 6)) * WAN,
        }

    def _holding(self, i: int, f: _Firm) -> None:
        rng, on, pk = self.rng, f.first, f.firm.pk
        amount = rng.randrange(50, 300, 10) * WAN
        pre = rng.randrange(1500, 4000, 100) * WAN
        plan = self._plan(i, on)
        anti = (AntiDilution.BROAD_BASED, AntiDilution.FULL_RATCHET, AntiDilution.NONE)[i % 3]
        form = ("equity", "post", "pre", "note", "equity")[i % 5] if f.opened_by_us else "equity"
        common = {"enterprise_id": pk, "on": on, "plan": plan, "actor": self.officer}
        if form == "equity":
            series = "天使轮" if f.opened_by_us else f"Pre-A 轮 ({on.year})"
            row = services.invest_in_round(
                amount_fen=amount,
                series=ShareClass(series, preferred=True, seniority=1, anti_dilution=anti),
                pre_money_fen=pre,
                co_investors=[Investment(CO_INVESTORS[i % len(CO_INVESTORS)], amount // 2)],
                pool_target=None,
                source="demo",
                book=False,
                **common,
            )
        else:
            cap = pre + amount
            instrument: PostMoneySafe | PreMoneySafe | ConvertibleNote
            if form == "post":
                instrument = PostMoneySafe(services.ANGEL_FUND, amount, cap, Decimal("0.2"))
            elif form == "pre":
                instrument = PreMoneySafe(services.ANGEL_FUND, amount, pre, Decimal("0.15"))
            else:
                day_count = (DayCount.ACT_365F, DayCount.THIRTY_360)[i % 2]
                instrument = ConvertibleNote(
                    services.ANGEL_FUND, amount, Decimal("0.06"), day_count, on, cap, Decimal("0.2")
                )
            row = services.invest_by_instrument(
                instrument=instrument, source="demo", book=False, **common
            )
        self.deferred.append((on, "invest", row))
        self._follow_on(i, f, pre + amount, anti)

    def _follow_on(self, i: int, f: _Firm, post: int, anti: AntiDilution) -> None:
        """Most firms raise a Series A a year or two later (converting SAFEs and notes, topping
        the pool up); some a Series B, one in three of those a down round; some exit."""
        rng, pk = self.rng, f.firm.pk
        day = f.first + dt.timedelta(days=rng.randint(300, 700))
        if day > self.end or i % 6 == 5:
            return  # no further round yet: a SAFE or note stays outstanding, held at cost
        lead = FOLLOW_ON_LEADS[i % len(FOLLOW_ON_LEADS)]
        a_pre = post * rng.randint(20, 35) // 10
        capped = i % 2 == 1
        series = ShareClass(
            f"A 轮 ({day.year})",
            preferred=True,
            seniority=2,
            participation=Participation.CAPPED if capped else Participation.NON_PARTICIPATING,
            cap_multiple=Decimal(3) if capped else None,
            anti_dilution=anti,
        )
        services.record_round(
            enterprise_id=pk,
            on=day,
            series=series,
            pre_money_fen=a_pre,
            investments=[Investment(lead, a_pre // 4)],
            pool_target=Decimal("0.12") if i % 3 else Decimal("0.15"),
            actor=self.officer,
            source="demo",
        )
        holding = AngelHolding.objects.get(enterprise_id=pk, holder=services.ANGEL_FUND)
        if i % 3 != 2 and day + dt.timedelta(days=60) <= self.end:  # reviewed after the round
            services.review_holding(
                holding_id=holding.pk, on=day + dt.timedelta(days=30),
                note=f"{lead}领投 A 轮，估值较天使轮提升，维持原退出计划。", actor=self.officer,
                next_round_expected_on=day + dt.timedelta(days=540),
                next_round_expected_fen=a_pre // 2,
            )  # fmt: skip
        b_day = day + dt.timedelta(days=rng.randint(300, 450))
        if i % 4 == 1 and b_day <= self.end:
            down = i % 8 == 1
            b_pre = a_pre * 6 // 10 if down else a_pre * 2
            services.record_round(
                enterprise_id=pk, on=b_day,
                series=ShareClass(f"B 轮 ({b_day.year})", preferred=True, seniority=3),
                pre_money_fen=b_pre, investments=[Investment("省级产业投资基金", b_pre // 5)],
                pool_target=Decimal("0.10"), actor=self.officer, source="demo",
            )  # fmt: skip
            day = b_day
        if f.opened_by_us:
            self._exit(i, holding, day + dt.timedelta(days=120))

    def _exit(self, i: int, holding: AngelHolding, day: dt.date) -> None:
        """Exits of some of the fund's own firms: trade sales at twice the last round's price,
        a secondary sale at a premium, a founder buyback below cost."""
        if day > self.end or i % 8 not in (0, 3, 6) or i >= 16:
            return
        route = {0: "trade_sale", 3: "secondary", 6: "buyback"}[i % 8]
        shares = selectors.holding_shares(holding.enterprise_id, holding.holder, day)
        price = selectors.latest_price_per_share(holding.enterprise_id, day) or Decimal(0)
        value = int(price * shares)
        if route == "trade_sale":
            table = selectors.cap_table(holding.enterprise_id, day)
            exit_fen = int(price * table.fully_diluted) * 2  # sold at twice the last round
            row = services.exit_holding(
                holding_id=holding.pk, on=day, route=route, proceeds_fen=0, exit_fen=exit_fen,
                actor=self.officer, source="demo", book=False,
            )  # fmt: skip
        else:
            cost = services.holding_cost_fen(holding)
            proceeds = value * 13 // 10 if route == "secondary" else cost * 7 // 10
            row = services.exit_holding(
                holding_id=holding.pk, on=day, route=route, proceeds_fen=proceeds,
                buyer=BUYERS[i % len(BUYERS)] if route == "secondary" else "创始人回购",
                actor=self.officer, source="demo", book=False,
            )  # fmt: skip
        self.deferred.append((day, "exit", row))

    # --- the books ------------------------------------------------------------------------------
    def book(self) -> None:
        """Add the fund's allocation and its history's money to the zone's fiscal history, and
        link each investment to its entry once booked."""
        day, amount = ANGEL_ALLOCATION
        memo = f"凤栖天使基金财政出资（云溪财预〔{day.year}〕8号）"
        history = self.zone.history
        history.add(contribution(FISCAL_POOL, day, amount, memo), order=0)
        investments: list[AngelInvestment] = []
        for on, kind, row in self.deferred:
            if kind == "invest":
                key = f"demo:angel:invest:{row.pk}"
                history.add(
                    services.investment_entry(row.holding.enterprise, row.amount_fen, on, key),
                    order=2,
                )
                investments.append(row)
            else:
                cost = services.holding_cost_fen(row)
                made = services.exit_entry(
                    row, cost, row.returned_fen, on, f"demo:angel:exit:{row.pk}"
                )
                if made is not None:
                    history.add(made, order=0)  # money in before money out on the day

        def link(entry_of: dict[str, int]) -> None:
            for row in investments:
                row.entry_id = entry_of[f"demo:angel:invest:{row.pk}"]
            AngelInvestment.objects.bulk_update(investments, ["entry_id"])

        history.then(link)

    # --- live -----------------------------------------------------------------------------------
    def live(self) -> None:
        """One investment approved on as_of and one waiting for the reviewer, in firms with no
        cap table yet (the fund opens them first through maker-checker)."""
        on = self.as_of
        taken = set(store.fund_enterprises())
        spare = [f for f in self.zone.firms[1:] if f.pk not in taken]
        spare = [f for f in spare if not CapTableEvent.objects.filter(enterprise=f).exists()][:2]
        for n, firm in enumerate(spare):
            founders = [[firm.legal_representative or "创始人", 8_000_000]]
            self._approve("equity.open_cap_table", {
                "enterprise_id": firm.pk, "date": on.isoformat(), "founders": founders,
                "pool_unallocated": 1_000_000,
            })  # fmt: skip
            payload = {
                "enterprise_id": firm.pk, "date": on.isoformat(), "form": "post_money_safe",
                "amount_fen": 200 * WAN, "valuation_cap_fen": 3000 * WAN, "discount": "0.2",
                "plan": {"exit_route": "trade_sale", "exit_horizon_years": 6,
                         "target_multiple": "4", "next_round_expected_fen": 2000 * WAN},
            }  # fmt: skip
            if n == 0:
                self._approve("equity.angel_invest", payload)
            else:
                approvals.propose(
                    action="equity.angel_invest", payload=payload,
                    reason="凤栖天使基金投委会已通过，请复核。", by=self.officer,
                )  # fmt: skip

    def _approve(self, action: str, payload: dict) -> None:
        proposal = approvals.propose(
            action=action, payload=payload, reason="凤栖天使基金投委会决议", by=self.officer
        )
        approvals.approve(proposal=proposal, by=self.reviewer)
