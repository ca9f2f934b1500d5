"""The valuations of the demo zone: about forty firms valued between 2023 and the demo date with
the methods that fit their stage, some revised (a second version), and four state-money cases:
one at or above the assessed value, one re-listed below 90% with the written approval recorded,
one below 90% awaiting approval (proposed, not yet approved) and one on a stale assessment.

Built through `services.save_valuation` and the approvals services; deterministic for the zone's
random generator; works with a registry of any size (a few firms get fewer valuations).
"""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from patientcap.approvals import services as approvals
from patientcap.valuations import services

VALUED = 40
FIRST_DAY = dt.date(2023, 1, 1)
STAGE_OF = {  # the registry's growth stage -> the valuation engine's
    "seed": "seed",
    "startup": "startup",
    "growth": "growth",
    "expansion": "expansion",
    "mature": "expansion",
}
RISKS = (
    "management",
    "stage",
    "legislation_political",
    "manufacturing",
    "sales_marketing",
    "funding",
    "competition",
    "technology",
    "litigation",
    "international",
    "reputation",
    "lucrative_exit",
)
RATIOS = (
    "team",
    "opportunity_size",
    "product_technology",
    "competitive_environment",
    "marketing_sales_partnerships",
    "need_for_further_investment",
    "other",
)


def _wan(n: int) -> str:
    return f"{n}万"


def _inputs(stage: str, rng: random.Random, scale: int) -> dict[str, dict[str, Any]]:
    """Plausible inputs for the methods of `stage`; `scale` is the firm's size in 万 yuan."""
    out: dict[str, dict[str, Any]] = {}
    if stage in ("seed", "idea"):
        out["berkus"] = {
            "cny_per_usd": "7.2",
            "year5_revenue_potential": "2亿",
            "factors": {
                f: _wan(rng.randrange(50, 360, 10))
                for f in ("sound_idea", "prototype", "management_team", "strategic_relationships")
            },
        }
        out["risk_factor_summation"] = {
            "base": _wan(1500),
            "step": _wan(180),
            "scores": {r: rng.choice((-1, 0, 0, 1, 1, 2)) for r in RISKS},
        }
    if stage in ("seed", "startup"):
        out["scorecard"] = {
            "median_pre_money": _wan(2000 if stage == "seed" else 5000),
            "ratios": {r: str(Decimal(rng.randrange(7, 15)) / 10) for r in RATIOS},
        }
    if stage in ("startup", "growth", "expansion"):
        out["vc"] = {
            "exit_metric": _wan(scale * rng.randrange(3, 6)),
            "exit_multiple": str(rng.choice((3, 4, 5))),
            "investment": _wan(max(scale // 10, 100)),
            "years": "5",
            "target_return": rng.choice(("0.3", "0.35", "0.4")),
            "future_dilutions": ["0.2"] if stage == "startup" else [],
        }
        out["market_multiples"] = {
            "metric": _wan(scale),
            "metric_name": "revenue",
            "comparables": {
                f"可比公司{c}": str(Decimal(rng.randrange(15, 60)) / 10) for c in "ABCD"
            },
        }
    if stage in ("growth", "expansion"):
        high = scale * rng.randrange(8, 14)
        out["first_chicago"] = {
            "discount_rate": "0.12",
            "scenarios": [
                {"name": "success", "probability": "0.3", "value": _wan(high), "years": "4"},
                {"name": "sideways", "probability": "0.5", "value": _wan(high // 3), "years": "4"},
                {"name": "failure", "probability": "0.2", "value": "0", "years": "4"},
            ],
        }
    return out


def build(zone: Any) -> dict[str, int]:
    rng = random.Random(zone.rng.randrange(1 << 30))
    officer, reviewer = zone.users["zone"], zone.users["reviewer"]
    step = max(1, len(zone.firms) // VALUED)
    firms = zone.firms[::step][:VALUED]
    span = max((zone.as_of - FIRST_DAY).days, 1)
    saved = revised = 0
    rows = []
    for n, firm in enumerate(firms):
        stage = STAGE_OF.get(firm.growth_stage, "startup")
        scale = rng.randrange(800, 6000, 100)
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(span))
        inputs = _inputs(stage, rng, scale)
        row = services.save_valuation(
            actor=officer,
            enterprise_id=firm.pk,
            valued_on=day,
            stage=stage,
            purpose="investment" if n % 3 else "fair_value",
            inputs=inputs,
            rationale="各方法等权平均；团队与技术为主要依据",
            investment=_wan(max(scale // 10, 100)) if n % 3 else None,
        )
        saved += 1
        rows.append((firm, stage, row, inputs))
        if n % 5 == 0 and day + dt.timedelta(days=120) <= zone.as_of:
            later = _inputs(stage, rng, scale + 500)
            services.save_valuation(
                actor=officer,
                enterprise_id=firm.pk,
                valued_on=day + dt.timedelta(days=120),
                stage=stage,
                purpose="fair_value",
                inputs=later,
                rationale="里程碑达成后复核估值（新版本）",
                previous_id=row.pk,
            )
            revised += 1
    state = _state_cases(rows, officer, reviewer, zone.as_of)
    return {"valuations": saved + revised, "valuation revisions": revised, **state}


def _state_cases(rows: list, officer: Any, reviewer: Any, as_of: dt.date) -> dict[str, int]:
    """Four state-money valuations on the last firms valued: ok, approved, awaiting, stale."""
    cases = [
        ("at_floor", Decimal("1.05"), 60, False),
        ("approved", Decimal("0.85"), 90, True),
        ("awaiting", Decimal("0.8"), 45, True),
        ("stale", Decimal("1.0"), 400, False),
    ]
    made = awaiting = 0
    for (firm, stage, _row, inputs), (kind, ratio, age, relisted) in zip(
        reversed(rows), cases, strict=False
    ):
        day = as_of - dt.timedelta(days=10)
        probe = services.evaluate(
            stage=stage, as_of=day, inputs=inputs, rationale="-"
        ).reconciliation
        assessed = probe.point_fen
        price = int(assessed * ratio) // 100 * 100
        row = services.save_valuation(
            actor=officer,
            enterprise_id=firm.pk,
            valued_on=day,
            stage=stage,
            purpose="transfer",
            inputs=inputs,
            rationale="国有股权转让：以评估备案值为底价",
            proposed_price=str(Decimal(price) / 100),
            state_money=True,
            assessed_value=str(Decimal(assessed) / 100),
            assessment_date=day - dt.timedelta(days=age),
            relisted=relisted,
        )
        made += 1
        if kind in ("approved", "awaiting"):
            proposal = approvals.propose(
                action="valuations.written_approval",
                payload={
                    "valuation_id": row.pk,
                    "reference": f"云国资产权〔{day.year}〕{10 + made}号",
                    "approved_on": day.isoformat(),
                },
                reason="两次挂牌未征得受让方，拟按评估值的九折以下转让",
                by=officer,
            )
            if kind == "approved":
                approvals.approve(proposal=proposal, by=reviewer, comment="已核对书面批复")
            else:
                awaiting += 1
    return {"state-money valuations": made, "valuations awaiting written approval": awaiting}
