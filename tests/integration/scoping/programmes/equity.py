"""The scoping walk's part for the equity app (see __init__.py).

Every enterprise of the worlds gets a cap table whose founder is a marker. A: the angel fund's
SAFE converts in a Series A (series and investor are markers), an invest-first conversion and a
founder's sale (holder and buyer are markers), and the fund's holding is reviewed (the note is a
marker). B: the fund invests in a priced round, reviews and exits by a trade sale (the table is
closed). C: a round without the fund. A cap table is read by the enterprise's readers except the
service agents (zone staff, auditors, the firm itself, the banks and guarantors it granted
access); the fund's holdings by zone staff and auditors; only the zone officer proposes changes,
and fund staff (the zone officer, the reviewer) record reviews.
"""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone
from tests.integration.scoping.pages import Page, Post, all_of, everyone, only
from tests.integration.scoping.world import NETWORK, Obj, World

from patientcap.domain.captable import (
    InvestFirst,
    Investment,
    PostMoneySafe,
    ShareClass,
    Variant,
)
from patientcap.equity import services
from patientcap.equity.models import AngelHolding, CapTableEvent, Exit, Round

AGENTS = frozenset({"service_agent", "other_service_agent"})
ZONE_OFFICER = frozenset({"zone_officer"})
FUND_STAFF = frozenset({"zone_officer", "reviewer"})
PLAN = {"exit_route": "trade_sale", "exit_horizon_years": 5, "target_multiple": "3"}
PLAN_TERMS = {"exit_route": "trade_sale", "exit_horizon_years": 5, "target_multiple": Decimal(3)}


def _cap_readers(world: World, w: str) -> frozenset[str]:
    return world.objects[f"ent_{w}"].readers - AGENTS


def build(world: World) -> None:
    zone = world.users["zone_officer"]
    day = timezone.localdate()  # the world's pool is funded today: no money moves before it
    for w in "abc":
        ent = world.objects[f"ent_{w}"]
        W = w.upper()
        event = services.open_cap_table(
            enterprise_id=ent.pk,
            founders=[(f"MK-EQ-FOUNDER-{W}~", 8_000_000)],
            on=day - dt.timedelta(days=365),
            actor=zone,
            source="scoping",
            pool_unallocated=1_000_000,
        )
        readers = _cap_readers(world, w)
        world.add(Obj(f"eqt_{w}", event, (f"MK-EQ-FOUNDER-{W}~",), readers, ZONE_OFFICER, ent.key))
    a, b, c = (world.objects[f"ent_{w}"] for w in "abc")
    # A: the fund's SAFE, converted in a Series A; an invest-first conversion; a founder's sale.
    # Through the services without booking (the pages' ledger and approvals lists stay the
    # world's own): maker-checker and the books are tested in tests/integration/equity.
    services.invest_by_instrument(
        enterprise_id=a.pk, on=day, instrument=PostMoneySafe(services.ANGEL_FUND, 10_000_000,
        500_000_000), plan=PLAN_TERMS, actor=zone, source="scoping", book=False,
    )  # fmt: skip
    rnd = services.record_round(
        enterprise_id=a.pk,
        on=day,
        series=ShareClass("MK-EQ-SERIES-A~", preferred=True, seniority=1),
        pre_money_fen=1_000_000_000,
        investments=[Investment("MK-EQ-INV-A~", 20_000_000)],
        actor=zone,
        source="scoping",
    )
    _round(world, "a", rnd)
    conversion = services.convert_invest_first(
        enterprise_id=a.pk,
        instrument=InvestFirst(
            "MK-EQ-IF-A~", 5_000_000, Variant.NEXT_ROUND, discount=Decimal("0.2")
        ),
        on=day,
        actor=zone,
        source="scoping",
        round_id=rnd.pk,
    )
    world.add(
        Obj("eqc_a", conversion, ("MK-EQ-IF-A~",), _cap_readers(world, "a"), ZONE_OFFICER, a.key)
    )
    sale = services.transfer_holding(
        enterprise_id=a.pk, holder="MK-EQ-FOUNDER-A~", shares=100_000, buyer="MK-EQ-BUYER-A~",
        on=day, proceeds_fen=1_000_000, actor=zone, source="scoping",
    )  # fmt: skip
    world.add(
        Obj("eqx_a", sale, ("MK-EQ-BUYER-A~",), _cap_readers(world, "a"), ZONE_OFFICER, a.key)
    )
    holding_a = AngelHolding.objects.get(enterprise_id=a.pk)
    services.review_holding(holding_id=holding_a.pk, on=day, note="MK-EQ-REVIEW-A~", actor=zone)
    world.add(Obj("eqh_a", holding_a, ("MK-EQ-REVIEW-A~",), NETWORK, FUND_STAFF))
    # B: the fund invests in a priced round, reviews, and exits by a trade sale.
    services.invest_in_round(
        enterprise_id=b.pk, on=day, amount_fen=10_000_000,
        series=ShareClass("MK-EQ-SERIES-B~", preferred=True, seniority=1),
        pre_money_fen=1_000_000_000, co_investors=[Investment("MK-EQ-INV-B~", 10_000_000)],
        plan=PLAN_TERMS, actor=zone, source="scoping", book=False,
    )  # fmt: skip
    _round(world, "b", Round.objects.get(enterprise_id=b.pk))
    holding_b = AngelHolding.objects.get(enterprise_id=b.pk)
    services.review_holding(holding_id=holding_b.pk, on=day, note="MK-EQ-REVIEW-B~", actor=zone)
    services.exit_holding(
        holding_id=holding_b.pk, on=day, route="trade_sale", proceeds_fen=0,
        exit_fen=2_000_000_000, actor=zone, source="scoping", book=False,
    )  # fmt: skip
    exit_b = Exit.objects.get(enterprise_id=b.pk)
    world.add(Obj("eqe_b", exit_b, (), _cap_readers(world, "b"), ZONE_OFFICER, b.key))
    world.add(Obj("eqh_b", holding_b, ("MK-EQ-REVIEW-B~",), NETWORK, FUND_STAFF))
    # C: a round without the fund.
    _round(
        world,
        "c",
        services.record_round(
            enterprise_id=c.pk,
            on=day - dt.timedelta(days=200),
            series=ShareClass("MK-EQ-SERIES-C~", preferred=True, seniority=1),
            pre_money_fen=500_000_000,
            investments=[Investment("MK-EQ-INV-C~", 10_000_000)],
            actor=zone,
            source="scoping",
        ),
    )
    assert CapTableEvent.objects.filter(kind="instrument").exists()


def _round(world: World, w: str, rnd: Round) -> None:
    W = w.upper()
    world.add(
        Obj(
            f"eqr_{w}",
            rnd,
            (f"MK-EQ-SERIES-{W}~", f"MK-EQ-INV-{W}~"),
            _cap_readers(world, w),
            ZONE_OFFICER,
            f"ent_{w}",
        )
    )


def _enterprise(world: World) -> Iterator[tuple[Obj, dict, bool]]:
    for obj in world.kind("ent_"):
        yield obj, {"pk": obj.pk}, False


def _holding(world: World) -> Iterator[tuple[Obj, dict, bool]]:
    for obj in world.kind("eqh_"):
        yield obj, {"pk": obj.pk}, False


ADDRESSES = {"equity enterprise": _enterprise, "angel holding": _holding}


def cap_readers(world: World, subject: Obj | None) -> frozenset[str]:
    assert subject is not None
    return world.objects[subject.key.replace("ent_", "eqt_")].readers


def cap_table_of(world: World, subject: Obj | None) -> list[Obj]:
    """The founders, rounds, conversions and sales of the addressed enterprise."""
    assert subject is not None
    kinds = ("eqt_", "eqr_", "eqc_", "eqx_")
    return [
        o for o in world.objects.values() if o.enterprise == subject.key and o.key.startswith(kinds)
    ]


def founder_of(world: World, subject: Obj | None) -> list[Obj]:
    assert subject is not None
    return [world.objects[subject.key.replace("ent_", "eqt_")]]


def open_table(world: World, subject: Obj | None) -> frozenset[str]:
    """The zone officer may propose changes to a table that is not closed by an exit."""
    assert subject is not None
    return frozenset() if subject.key == "ent_b" else ZONE_OFFICER


def _today() -> str:
    return timezone.localdate().isoformat()


def round_form(world: World, subject: Obj | None) -> dict[str, Any]:
    return {
        "date": _today(), "series_name": "Series Z", "series_seniority": "3",
        "series_preference_multiple": "1", "series_participation": "non_participating",
        "series_anti_dilution": "none", "pre_money_yuan": "5000万",
        "investments": "scoping investor, 1000000", "reason": "scoping",
    }  # fmt: skip


def safe_form(world: World, subject: Obj | None) -> dict[str, Any]:
    return {
        "date": _today(), "kind": "post_money_safe", "holder": "scoping holder",
        "amount_yuan": "100000", "valuation_cap_yuan": "2000万", "discount_percent": "0",
        "day_count": "ACT/365F", "reason": "scoping",
    }  # fmt: skip


def open_form(world: World, subject: Obj | None) -> dict[str, Any]:
    assert subject is not None
    W = subject.key.removeprefix("ent_").upper()
    return {
        "date": _today(),
        "founders": f"MK-EQ-FOUNDER-{W}~, 8000000",
        "pool_unallocated": "1000000",
        "reason": "scoping",
    }


def invest_form(world: World, subject: Obj | None) -> dict[str, Any]:
    return {
        "enterprise_id": str(world.objects["ent_c"].pk), "date": _today(),
        "form": "post_money_safe", "amount_yuan": "100000", "valuation_cap_yuan": "3000万",
        "discount_percent": "0", "day_count": "ACT/365F", "series_anti_dilution": "none",
        "exit_route": "buyback", "exit_horizon_years": "4", "target_multiple": "2",
        "reason": "scoping",
    }  # fmt: skip


def review_form(world: World, subject: Obj | None) -> dict[str, Any]:
    return {"review": "1", "date": _today(), "note": "scoping review"}


def exit_form(world: World, subject: Obj | None) -> dict[str, Any]:
    return {
        "exit": "1", "date": _today(), "route": "secondary", "proceeds_yuan": "200000",
        "buyer": "scoping buyer", "reason": "scoping",
    }  # fmt: skip


def may_exit(world: World, subject: Obj | None) -> frozenset[str]:
    assert subject is not None
    return ZONE_OFFICER if subject.key == "eqh_a" else frozenset()


def fund_staff(world: World, subject: Obj | None) -> frozenset[str]:
    return FUND_STAFF


PAGES = {
    "equity:index": Page(None, everyone, shows=all_of("eqr_")),
    "equity:cap_table": Page(
        "equity enterprise", cap_readers, shows=cap_table_of, queries=("", "?as_of=2000-01-01")
    ),
    "equity:waterfall": Page(
        "equity enterprise",
        cap_readers,
        shows=founder_of,
        queries=("?exit_yuan=1000万", "", "?exit_yuan=-1"),
    ),
    "equity:propose_open": Page(
        "equity enterprise",
        only("zone_officer"),
        shows=lambda w, s: [],
        posts=(Post("propose opening", open_form, only("zone_officer"), "own"),),
    ),
    "equity:propose_round": Page(
        "equity enterprise",
        only("zone_officer"),
        shows=lambda w, s: [],
        posts=(Post("propose a round", round_form, open_table, "own"),),
    ),
    "equity:propose_instrument": Page(
        "equity enterprise",
        only("zone_officer"),
        shows=lambda w, s: [],
        posts=(Post("propose a SAFE", safe_form, open_table, "own"),),
    ),
    "equity:fund": Page(None, lambda w, s: NETWORK, shows=all_of("eqh_")),
    "equity:invest": Page(
        None,
        only("zone_officer"),
        shows=lambda w, s: [],
        posts=(Post("propose an investment", invest_form, only("zone_officer"), "own"),),
    ),
    "equity:holding": Page(
        "angel holding",
        lambda w, s: NETWORK,
        posts=(
            Post("review", review_form, fund_staff),
            Post("propose an exit", exit_form, may_exit, "own"),
        ),
    ),
}
