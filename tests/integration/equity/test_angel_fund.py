"""The 凤栖 angel fund through maker-checker: priced equity, SAFEs and notes converting at a
follow-on round with a pool top-up, anti-dilution on a down round, reviews, exits through the
waterfall, and the ledger entries in the fiscal pool."""

import datetime as dt
from decimal import Decimal

import pytest
from tests.integration.equity.conftest import POOL_FEN, fund_pool

from patientcap.approvals import services as proposals
from patientcap.approvals.services import InvalidProposal, NotAllowed
from patientcap.domain.captable import Investment, ShareClass
from patientcap.domain.messages import Invalid
from patientcap.equity import selectors, services
from patientcap.equity.models import (
    AngelHolding,
    AngelInvestment,
    CapTableEvent,
    HoldingStatus,
    Instrument,
    Round,
)
from patientcap.ledger.selectors import balance

YUAN = 100
PLAN = {
    "exit_route": "trade_sale",
    "exit_horizon_years": 5,
    "target_multiple": "3",
    "next_round_expected_on": "2024-06-30",
    "next_round_expected_fen": 3_000_000_000,
}


def approve(action, payload, users, maker="zone_officer", checker="reviewer"):
    p = proposals.propose(action=action, payload=payload, reason="test", by=users[maker])
    return proposals.approve(proposal=p, by=users[checker])


def invest_equity(users, firm, on="2023-03-01", amount=2_000_000 * YUAN, **extra):
    payload = {
        "enterprise_id": firm.pk,
        "date": on,
        "form": "equity",
        "amount_fen": amount,
        "series": {
            "name": "Angel",
            "seniority": 1,
            "anti_dilution": "broad_based_weighted_average",
        },
        "pre_money_fen": 8_000_000 * YUAN,
        "investments": [],
        "plan": PLAN,
    } | extra
    return approve("equity.angel_invest", payload, users)


@pytest.fixture
def pool(users):
    fund_pool(users)


def test_a_priced_angel_investment_books_the_money_and_opens_a_planned_holding(users, opened, pool):
    done = invest_equity(users, opened)
    holding = AngelHolding.objects.get(pk=done.result["holding_id"])
    assert holding.exit_route == "trade_sale" and holding.target_multiple == Decimal("3.00")
    assert holding.next_round_expected_fen == 3_000_000_000
    assert holding.review_due_since is None
    assert balance("fiscal_pool.angel_fund") == 200_000_000
    assert balance("fiscal_pool.cash") == POOL_FEN - 200_000_000
    on = dt.date(2023, 3, 1)
    assert selectors.angel_investment_fen(opened.pk, on) == 200_000_000
    assert selectors.angel_investment_fen(opened.pk, on - dt.timedelta(days=1)) == 0
    shares = selectors.holding_shares(opened.pk, services.ANGEL_FUND, on)
    assert shares == 2_500_000  # ¥8M pre on 10M fully diluted: 80 fen a share


def test_safes_and_a_note_convert_at_the_follow_on_round_with_a_pool_top_up(users, opened, pool):
    approve(
        "equity.angel_invest",
        {"enterprise_id": opened.pk, "date": "2022-06-01", "form": "post_money_safe",
         "amount_fen": 1_000_000 * YUAN, "valuation_cap_fen": 10_000_000 * YUAN,
         "discount": "0.2", "plan": PLAN},
        users,
    )  # fmt: skip
    approve(
        "equity.issue_instrument",
        {"enterprise_id": opened.pk, "date": "2022-07-01", "kind": "note", "holder": "银行甲",
         "amount_fen": 500_000 * YUAN, "annual_rate": "0.08", "day_count": "ACT/365F",
         "valuation_cap_fen": 12_000_000 * YUAN},
        users,
    )  # fmt: skip
    holding = AngelHolding.objects.get()
    assert selectors.holding_shares(opened.pk, services.ANGEL_FUND, dt.date(2022, 8, 1)) == 0
    done = approve(
        "equity.record_round",
        {"enterprise_id": opened.pk, "date": "2023-07-01",
         "series": {"name": "Series A", "seniority": 2},
         "pre_money_fen": 30_000_000 * YUAN, "investments": [["红杉", 6_000_000 * YUAN]],
         "pool_target": "0.15"},
        users,
    )  # fmt: skip
    rnd = Round.objects.get(pk=done.result["round_id"])
    assert rnd.pool_increase > 0
    assert Instrument.objects.filter(converted_in=rnd).count() == 2
    table = selectors.cap_table(opened.pk, rnd.on)
    assert table.pool.unallocated * 100 >= 15 * table.fully_diluted - 100
    # The post-money SAFE at its cap owns 10% of the capitalisation before the new money and
    # the pool top-up (which dilute it like the founders).
    fund = selectors.holding_shares(opened.pk, services.ANGEL_FUND, rnd.on)
    new_shares = 6_000_000 * YUAN // int(rnd.price_per_share)
    capitalisation = rnd.fully_diluted_post - new_shares - rnd.pool_increase
    assert abs(Decimal(fund) / capitalisation - Decimal("0.1")) < Decimal("0.0001")
    holding.refresh_from_db()
    assert holding.review_due_since == rnd.on
    services.review_holding(
        holding_id=holding.pk, on=rnd.on, note="A 轮领投红杉，按计划", actor=users["zone_officer"],
        next_round_expected_on=dt.date(2025, 6, 30),
    )  # fmt: skip
    holding.refresh_from_db()
    assert holding.review_due_since is None
    assert holding.next_round_expected_on == dt.date(2025, 6, 30)


def test_a_down_round_adjusts_the_protected_class_by_its_anti_dilution(users, opened, pool):
    invest_equity(users, opened)
    done = approve(
        "equity.record_round",
        {"enterprise_id": opened.pk, "date": "2024-03-01",
         "series": {"name": "Series A", "seniority": 2},
         "pre_money_fen": 5_000_000 * YUAN, "investments": [["红杉", 2_000_000 * YUAN]]},
        users,
    )  # fmt: skip
    rnd = Round.objects.get(pk=done.result["round_id"])
    assert rnd.down_round
    [adjustment] = rnd.adjustments
    assert adjustment["share_class"] == "Angel"
    assert adjustment["method"] == "broad_based_weighted_average"
    assert Decimal(adjustment["new_price"]) < Decimal(adjustment["old_price"])
    table = selectors.cap_table(opened.pk, rnd.on)
    assert table.by_name["Angel"].conversion_price == Decimal(adjustment["new_price"])


def test_a_trade_sale_pays_the_fund_by_the_waterfall_and_books_the_gain(users, opened, pool):
    invest_equity(users, opened)
    holding = AngelHolding.objects.get()
    exit_fen = 100_000_000 * YUAN
    expected = selectors.waterfall_payout(
        opened.pk, services.ANGEL_FUND, exit_fen, dt.date(2025, 1, 1)
    )
    done = approve(
        "equity.angel_exit",
        {"holding_id": holding.pk, "date": "2025-01-01", "route": "trade_sale",
         "exit_fen": exit_fen},
        users,
    )  # fmt: skip
    assert done.result["returned_fen"] == expected
    assert abs(expected - exit_fen * 2_500_000 // 11_500_000) <= 1  # the pool takes no part
    holding.refresh_from_db()
    assert holding.status == HoldingStatus.EXITED and holding.returned_fen == expected
    assert balance("fiscal_pool.angel_fund") == 0
    assert balance("fiscal_pool.realised_gains") == expected - 200_000_000
    assert balance("fiscal_pool.cash") == POOL_FEN - 200_000_000 + expected
    assert selectors.angel_investment_fen(opened.pk, dt.date(2025, 1, 1)) == 0
    assert selectors.angel_investment_fen(opened.pk, dt.date(2024, 12, 31)) == 200_000_000
    with pytest.raises(Invalid, match="closed"):
        services.record_round(
            enterprise_id=opened.pk, on=dt.date(2025, 2, 1), series=ShareClass("Series B"),
            pre_money_fen=10**9, investments=[Investment("x", 100)],
            actor=users["zone_officer"], source="t",
        )  # fmt: skip


def test_a_sale_below_cost_books_a_realised_loss(users, opened, pool):
    invest_equity(users, opened)
    holding = AngelHolding.objects.get()
    approve(
        "equity.angel_exit",
        {"holding_id": holding.pk, "date": "2025-01-01", "route": "buyback",
         "proceeds_fen": 150_000_000, "buyer": "张伟"},
        users,
    )  # fmt: skip
    assert balance("fiscal_pool.realised_losses") == 50_000_000
    assert selectors.holding_shares(opened.pk, "张伟", dt.date(2025, 1, 1)) == 8_500_000


def test_an_exit_with_negative_proceeds_is_refused_and_nothing_is_written(users, opened, pool):
    invest_equity(users, opened)
    holding = AngelHolding.objects.get()
    events = CapTableEvent.objects.count()
    for payload in (
        {"route": "trade_sale", "exit_fen": -1},
        {"route": "secondary", "proceeds_fen": -100, "buyer": "x"},
    ):
        with pytest.raises(InvalidProposal) as refused:
            proposals.propose(
                action="equity.angel_exit",
                payload={"holding_id": holding.pk, "date": "2025-01-01"} | payload,
                reason="t", by=users["zone_officer"],
            )  # fmt: skip
        assert "cannot be negative" in str(refused.value.errors)
    assert CapTableEvent.objects.count() == events
    assert AngelHolding.objects.get().status == HoldingStatus.ACTIVE


@pytest.mark.parametrize(
    ("terms", "field", "message"),
    [
        ({"form": "post_money_safe", "valuation_cap_fen": 50}, "valuation_cap", "above the amount"),
        ({"form": "pre_money_safe", "discount": "1"}, "discount", "below 100%"),
        (
            {"form": "note", "annual_rate": "1.5", "day_count": "ACT/365F"},
            "annual_rate",
            "interest",
        ),
        ({"form": "note", "annual_rate": "0.05", "day_count": "ACT/999"}, "day_count", "day count"),
        ({"form": "post_money_safe", "amount_fen": 0}, "amount", "positive"),
    ],
)
def test_invalid_safe_or_note_terms_are_refused_and_nothing_is_written(
    users, opened, pool, terms, field, message
):
    payload = {"enterprise_id": opened.pk, "date": "2023-01-01", "amount_fen": 100 * YUAN,
               "plan": PLAN} | terms  # fmt: skip
    with pytest.raises(InvalidProposal) as refused:
        proposals.propose(
            action="equity.angel_invest", payload=payload, reason="t", by=users["zone_officer"]
        )
    assert message in " ".join(refused.value.errors[field])
    assert not Instrument.objects.exists() and not AngelInvestment.objects.exists()


def test_a_holding_without_an_exit_plan_is_refused(users, opened, pool):
    with pytest.raises(InvalidProposal) as refused:
        invest_equity(users, opened, plan={"exit_route": "", "target_multiple": "0"})
    assert "exit_route" in refused.value.errors and "target_multiple" in refused.value.errors


def test_an_investment_the_pool_cannot_cover_is_refused(users, opened, pool):
    with pytest.raises(InvalidProposal, match="cannot cover"):
        invest_equity(users, opened, amount=POOL_FEN + 1)
    assert not Round.objects.exists()


def test_a_round_with_a_zero_price_is_refused_when_proposed(users, opened):
    with pytest.raises(InvalidProposal) as refused:
        proposals.propose(
            action="equity.record_round",
            payload={"enterprise_id": opened.pk, "date": "2023-01-01",
                     "series": {"name": "Series A"}, "pre_money_fen": 0,
                     "investments": [["x", 100]]},
            reason="t", by=users["zone_officer"],
        )  # fmt: skip
    assert "pre-money valuation must be a positive" in str(refused.value.errors)
    assert not Round.objects.exists()


@pytest.mark.parametrize("who", ["enterprise_user", "bank_officer", "auditor"])
def test_people_outside_the_fund_cannot_propose_cap_table_changes(users, opened, who):
    with pytest.raises(NotAllowed):
        proposals.propose(
            action="equity.record_round",
            payload={"enterprise_id": opened.pk, "date": "2023-01-01",
                     "series": {"name": "Series A"}, "pre_money_fen": 10**9,
                     "investments": [["x", 100]]},
            reason="t", by=users[who],
        )  # fmt: skip
    assert not Round.objects.exists()


def test_opening_a_cap_table_through_maker_checker(users, firm):
    done = approve(
        "equity.open_cap_table",
        {"enterprise_id": firm.pk, "date": "2022-01-01", "founders": "王芳, 8000000\n赵强, 2000000",
         "pool_unallocated": "500000"},
        users,
    )  # fmt: skip
    assert done.result["event_id"]
    assert selectors.cap_table(firm.pk, dt.date(2022, 1, 1)).fully_diluted == 10_500_000
