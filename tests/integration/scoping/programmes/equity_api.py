"""The API operations of the equity app in the scoping walk (see __init__.py)."""

from collections.abc import Callable, Iterator
from typing import Any

from django.utils import timezone
from tests.integration.scoping.endpoints import Body, Operation
from tests.integration.scoping.pages import ADDRESSES, all_of, only
from tests.integration.scoping.programmes.equity import PLAN, cap_readers, cap_table_of, founder_of
from tests.integration.scoping.world import NETWORK, Obj, World


def _enterprise(world: World) -> Iterator[tuple[Obj, dict, bool]]:
    for obj in world.kind("ent_"):
        yield obj, {"enterprise_id": obj.pk}, False


ADDRESSES.setdefault("equity api enterprise", _enterprise)


def _body(payload: Callable[[World, Obj | None], dict]) -> Callable[[World, Obj | None], dict]:
    def body(world: World, target: Obj | None) -> dict[str, Any]:
        return {"payload": payload(world, target), "reason": "scoping"}

    return body


def _today() -> str:
    return timezone.localdate().isoformat()


def _investment(world: World, target: Obj | None) -> dict[str, Any]:
    return {
        "enterprise_id": world.objects["ent_c"].pk, "date": _today(), "form": "post_money_safe",
        "amount_fen": 10_000_000, "valuation_cap_fen": 3_000_000_000, "plan": PLAN,
    }  # fmt: skip


def _exit(world: World, target: Obj | None) -> dict[str, Any]:
    return {
        "holding_id": world.objects["eqh_a"].pk, "date": _today(), "route": "secondary",
        "proceeds_fen": 20_000_000, "buyer": "scoping buyer",
    }  # fmt: skip


def _round(world: World, target: Obj | None) -> dict[str, Any]:
    return {
        "enterprise_id": world.objects["ent_c"].pk, "date": _today(),
        "series": {"name": "Series Z", "seniority": 3}, "pre_money_fen": 5_000_000_000,
        "investments": [["scoping investor", 100_000_000]],
    }  # fmt: skip


def _instrument(world: World, target: Obj | None) -> dict[str, Any]:
    return {
        "enterprise_id": world.objects["ent_c"].pk, "date": _today(), "kind": "note",
        "holder": "scoping bank", "amount_fen": 10_000_000, "annual_rate": "0.05",
        "day_count": "30/360",
    }  # fmt: skip


def _open(world: World, target: Obj | None) -> dict[str, Any]:
    return {
        "enterprise_id": world.objects["ent_a"].pk, "date": _today(),
        "founders": [["MK-EQ-FOUNDER-A~", 8_000_000]], "pool_unallocated": 1_000_000,
    }  # fmt: skip


def _proposal(label: str, payload: Callable[[World, Obj | None], dict]) -> Operation:
    return Operation(
        None,
        bodies=(
            Body(label, _body(payload), only("zone_officer"), "own", supplied=_supplied(payload)),
        ),
    )


def _supplied(payload: Callable[[World, Obj | None], dict]) -> Callable[..., set[str]]:
    return lambda world, target: (
        {str(v) for v in payload(world, target).values()}
        | {str(x) for row in payload(world, target).get("founders", []) for x in row}
    )


BASE = "/api/v1/equity"
OPERATIONS = {
    ("get", f"{BASE}/enterprises/{{enterprise_id}}/cap-table"): Operation(
        "equity api enterprise", cap_readers, shows=cap_table_of
    ),
    ("get", f"{BASE}/enterprises/{{enterprise_id}}/rounds"): Operation(
        "equity api enterprise",
        cap_readers,
        shows=lambda w, s: [o for o in cap_table_of(w, s) if o.key.startswith("eqr_")],
    ),
    ("get", f"{BASE}/enterprises/{{enterprise_id}}/waterfall"): Operation(
        "equity api enterprise",
        cap_readers,
        shows=founder_of,
        queries=("?exit_fen=1000000000",),
    ),
    ("get", f"{BASE}/angel-holdings"): Operation(None, lambda w, s: NETWORK, shows=all_of("eqh_")),
    ("post", f"{BASE}/proposals/angel-investments"): _proposal("invest", _investment),
    ("post", f"{BASE}/proposals/angel-exits"): _proposal("exit", _exit),
    ("post", f"{BASE}/proposals/rounds"): _proposal("round", _round),
    ("post", f"{BASE}/proposals/instruments"): _proposal("note", _instrument),
    ("post", f"{BASE}/proposals/cap-tables"): _proposal("open", _open),
}
