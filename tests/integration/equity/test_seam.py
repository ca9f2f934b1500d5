"""The seam the investments and matching apps code against: open a cap table, convert
invest-first money, transfer a holding, and the selectors (table, shares, price, payout, the
angel fund's money in a firm)."""

import datetime as dt
from decimal import Decimal

import pytest
from tests.integration.equity.conftest import OPENED

from patientcap.domain.captable import (
    InvestFirst,
    Investment,
    ShareClass,
    Variant,
    ownership,
)
from patientcap.domain.messages import Invalid
from patientcap.equity import selectors, services
from patientcap.equity.models import CapTableEvent, Conversion, Round

SERIES_A = ShareClass("Series A", preferred=True, seniority=1)
YUAN = 100


def a_round(users, firm, on=dt.date(2023, 3, 1), pre_yuan=20_000_000, new_yuan=5_000_000):
    return services.record_round(
        enterprise_id=firm.pk,
        on=on,
        series=SERIES_A,
        pre_money_fen=pre_yuan * YUAN,
        investments=[Investment("红杉", new_yuan * YUAN)],
        actor=users["zone_officer"],
        source="test",
    )


def test_opening_a_cap_table_records_founders_and_pool_and_replays_to_the_table(users, opened):
    table = selectors.cap_table(opened.pk, OPENED)
    assert table.fully_diluted == 10_000_000
    assert selectors.holding_shares(opened.pk, "张伟", OPENED) == 6_000_000
    assert sum(ownership(table).fully_diluted.values()) == 1
    with pytest.raises(selectors.NoCapTable):
        selectors.cap_table(opened.pk, OPENED - dt.timedelta(days=1))


def test_opening_again_is_idempotent_with_the_same_founders_and_refused_otherwise(users, opened):
    again = services.open_cap_table(
        enterprise_id=opened.pk,
        founders=[("张伟", 6_000_000), ("李娜", 3_000_000)],
        on=OPENED,
        actor=users["zone_officer"],
        source="test",
        pool_unallocated=1_000_000,
    )
    assert CapTableEvent.objects.filter(enterprise=opened).count() == 1
    assert again.kind == "open"
    with pytest.raises(Invalid, match="already open"):
        services.open_cap_table(
            enterprise_id=opened.pk,
            founders=[("张伟", 1)],
            on=OPENED,
            actor=users["zone_officer"],
            source="test",
        )


@pytest.mark.parametrize(
    ("founders", "pool", "message"),
    [
        ([], 0, "founders named once"),
        ([("a", 1), ("a", 2)], 0, "founders named once"),
        ([("a", 0)], 0, "positive whole number"),
        ([("a", 10)], -1, "pool cannot be negative"),
    ],
)
def test_a_bad_opening_is_refused_and_writes_nothing(users, firm, founders, pool, message):
    with pytest.raises(Invalid, match=message):
        services.open_cap_table(
            enterprise_id=firm.pk,
            founders=founders,
            on=OPENED,
            actor=users["zone_officer"],
            source="test",
            pool_unallocated=pool,
        )
    assert not CapTableEvent.objects.exists()


@pytest.mark.parametrize("who", ["enterprise_user", "bank_officer", "auditor", "service_agent"])
def test_a_cap_table_edit_by_someone_outside_the_fund_is_refused(users, opened, who):
    with pytest.raises(services.NotFundStaff, match="Only the fund"):
        a_round(users | {"zone_officer": users[who]}, opened)
    with pytest.raises(services.NotFundStaff):
        services.transfer_holding(
            enterprise_id=opened.pk, holder="张伟", shares=1, buyer="x", on=OPENED,
            proceeds_fen=1, actor=users[who], source="test",
        )  # fmt: skip
    assert CapTableEvent.objects.count() == 1


def test_a_round_is_stored_with_its_result_and_the_price_is_the_latest(users, opened):
    rnd = a_round(users, opened)
    assert rnd.price_per_share == Decimal("200.00000")  # ¥20M pre on 10M fully diluted
    assert rnd.shares_issued == 2_500_000
    assert selectors.latest_price_per_share(opened.pk, rnd.on) == rnd.price_per_share
    assert selectors.latest_price_per_share(opened.pk, rnd.on - dt.timedelta(days=1)) is None
    assert selectors.holding_shares(opened.pk, "红杉", rnd.on) == 2_500_000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pre_yuan": 0}, "pre-money valuation must be a positive"),
        ({"pre_yuan": -5}, "pre-money valuation must be a positive"),
        ({"new_yuan": 0}, "must be a positive number of fen"),
        ({"new_yuan": -1}, "must be a positive number of fen"),
        ({"pre_yuan": 20_000_000, "new_yuan": 0.5}, "positive number of fen"),
    ],
)
def test_a_round_whose_price_or_share_count_is_zero_or_negative_is_refused(
    users, opened, kwargs, message
):
    with pytest.raises(Invalid, match=message):
        a_round(users, opened, **kwargs)
    assert not Round.objects.exists()
    assert CapTableEvent.objects.count() == 1


def test_a_round_too_dear_for_one_share_is_refused(users, opened):
    with pytest.raises(Invalid, match="no shares"):
        services.record_round(
            enterprise_id=opened.pk, on=dt.date(2023, 1, 1), series=SERIES_A,
            pre_money_fen=10**15, investments=[Investment("x", 1)],
            actor=users["zone_officer"], source="test",
        )  # fmt: skip
    assert not Round.objects.exists()


def test_events_must_be_recorded_in_date_order(users, opened):
    a_round(users, opened)
    with pytest.raises(Invalid, match="date order"):
        a_round(users, opened, on=dt.date(2023, 2, 1))


def test_variant_a_converts_at_the_named_rounds_price_less_the_discount(users, opened):
    rnd = a_round(users, opened)
    money = InvestFirst("高新区先投后股", 1_000_000 * YUAN, Variant.NEXT_ROUND, Decimal("0.2"))
    row = services.convert_invest_first(
        enterprise_id=opened.pk, instrument=money, on=dt.date(2023, 4, 1),
        actor=users["reviewer"], source="test", round_id=rnd.pk,
    )  # fmt: skip
    assert row.price == Decimal("160.00000")
    assert row.shares == 625_000
    assert row.residue_fen == 0
    fd = selectors.cap_table(opened.pk, dt.date(2023, 4, 1)).fully_diluted
    assert row.stake == (Decimal(625_000) / fd).quantize(Decimal("1e-10"))
    assert selectors.holding_shares(opened.pk, "高新区先投后股", dt.date(2023, 4, 1)) == 625_000


def test_variant_a_and_d_without_a_round_are_refused_clearly(users, opened):
    for money in (
        InvestFirst("zone", 100 * YUAN, Variant.NEXT_ROUND),
        InvestFirst("zone", 100 * YUAN, Variant.CAPPED, agreed_valuation_fen=10**9),
    ):
        with pytest.raises(Invalid, match="record the round first"):
            services.convert_invest_first(
                enterprise_id=opened.pk, instrument=money, on=dt.date(2023, 4, 1),
                actor=users["zone_officer"], source="test",
            )  # fmt: skip
    assert not Conversion.objects.exists()


def test_variants_b_and_c_convert_without_a_round_and_e_is_refused(users, opened):
    b = services.convert_invest_first(
        enterprise_id=opened.pk,
        instrument=InvestFirst(
            "zone", 2_000_000 * YUAN, Variant.AGREED_VALUATION,
            agreed_valuation_fen=20_000_000 * YUAN,
        ),
        on=dt.date(2023, 4, 1), actor=users["zone_officer"], source="test",
    )  # fmt: skip
    assert b.shares == 1_111_111 and b.price == Decimal("180.00000")
    c = services.convert_invest_first(
        enterprise_id=opened.pk,
        instrument=InvestFirst(
            "zone2", 1_000_000 * YUAN, Variant.FIXED_PERCENTAGE, fixed_fraction=Decimal("0.05")
        ),
        on=dt.date(2023, 5, 1), actor=users["zone_officer"], source="test",
    )  # fmt: skip
    assert c.price is None and abs(c.stake - Decimal("0.05")) < Decimal("1e-7")
    with pytest.raises(Invalid, match="does not convert"):
        services.convert_invest_first(
            enterprise_id=opened.pk, instrument=InvestFirst("z", 1, Variant.NO_CONVERSION),
            on=dt.date(2023, 5, 1), actor=users["zone_officer"], source="test",
        )  # fmt: skip


def test_a_round_of_another_enterprise_is_refused(users, opened):
    with pytest.raises(Invalid, match="not a round of this enterprise"):
        services.convert_invest_first(
            enterprise_id=opened.pk, instrument=InvestFirst("z", 100, Variant.NEXT_ROUND),
            on=dt.date(2023, 5, 1), actor=users["zone_officer"], source="test", round_id=999,
        )  # fmt: skip


def test_a_transfer_moves_shares_and_a_bad_one_writes_nothing(users, opened):
    on = dt.date(2023, 6, 1)
    row = services.transfer_holding(
        enterprise_id=opened.pk, holder="李娜", shares=1_000_000, buyer="天使甲", on=on,
        proceeds_fen=3_000_000 * YUAN, actor=users["zone_officer"], source="test",
    )  # fmt: skip
    assert row.proceeds_fen == 300_000_000
    assert selectors.holding_shares(opened.pk, "李娜", on) == 2_000_000
    assert selectors.holding_shares(opened.pk, "天使甲", on) == 1_000_000
    for kwargs, message in (
        ({"shares": 5_000_000}, "cannot transfer"),
        ({"proceeds_fen": -1}, "cannot be negative"),
        ({"buyer": "李娜"}, "buyer other"),
    ):
        args = {"holder": "李娜", "shares": 1, "buyer": "b", "proceeds_fen": 0} | kwargs
        with pytest.raises(Invalid, match=message):
            services.transfer_holding(
                enterprise_id=opened.pk, on=on, actor=users["zone_officer"], source="t", **args
            )
    assert CapTableEvent.objects.count() == 2


def test_the_waterfall_payout_pays_the_preference_then_pro_rata(users, opened):
    rnd = a_round(users, opened)
    small = selectors.waterfall_payout(opened.pk, "红杉", 3_000_000 * YUAN, rnd.on)
    assert small == 3_000_000 * YUAN  # all of it: the preference of ¥5M is not covered
    big = selectors.waterfall_payout(opened.pk, "红杉", 100_000_000 * YUAN, rnd.on)
    assert big == 100_000_000 * YUAN * 2_500_000 // 11_500_000
    founders = selectors.waterfall_payout(opened.pk, "张伟", 3_000_000 * YUAN, rnd.on)
    assert founders == 0


def test_the_seam_functions_do_not_commit_on_their_own(users, opened, django_db_blocker):
    from django.db import transaction

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        a_round(users, opened)
        raise Rollback
    assert not Round.objects.exists()


def test_the_snapshot_of_the_latest_event_equals_the_replay_of_every_event(users, opened):
    from patientcap.equity import replay, store

    rnd = a_round(users, opened)
    services.convert_invest_first(
        enterprise_id=opened.pk, instrument=InvestFirst("z", 10**8, Variant.NEXT_ROUND),
        on=dt.date(2023, 4, 1), actor=users["zone_officer"], source="test", round_id=rnd.pk,
    )  # fmt: skip
    services.transfer_holding(
        enterprise_id=opened.pk, holder="张伟", shares=10, buyer="b", on=dt.date(2023, 5, 1),
        proceeds_fen=1, actor=users["zone_officer"], source="test",
    )  # fmt: skip
    snap = store.snapshot(opened.pk)
    replayed = list(
        replay.replay((e.kind, e.payload) for e in store.events(opened.pk, dt.date(2030, 1, 1)))
    )[-1]
    assert replay.snapshot_state(snap.table) == replayed
    assert selectors.cap_table(opened.pk, dt.date(2023, 4, 15)).fully_diluted == (
        selectors.cap_table(opened.pk, dt.date(2023, 5, 1)).fully_diluted
    )
