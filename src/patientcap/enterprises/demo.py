"""Fictional enterprises with plausible figures, for the demo zone and for benchmarks.

Names are made of invented word pairs and carry no real firm's name; the credit codes are well
formed (GB 32100-2015 check characters) in the zone's district 500107 but registered to nobody.
Everything is inserted with bulk inserts in one transaction, with one audit entry for the batch.
"""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from patientcap.audit import services as audit
from patientcap.domain import registry
from patientcap.domain.uscc import DEFAULT_DIVISION, make_uscc
from patientcap.enterprises.models import (
    Certification,
    CertificationKind,
    Enterprise,
    FinancialYear,
    GrowthStage,
    Headcount,
    IntellectualProperty,
    StrategicCategory,
    Team,
)

_FIRST = "云启星澜智曜辰宇睿博微瑞泽深科极光聚汇恒远新创华融芯源"
_SECOND = "途联数智景行晟拓讯驰衡度维象锐思腾飞弘越鸿诚安康成"
_TRADES = [
    ("I65", "软件科技", StrategicCategory.NEXT_GEN_IT),
    ("I64", "数据科技", StrategicCategory.NEXT_GEN_IT),
    ("C39", "电子科技", StrategicCategory.NEXT_GEN_IT),
    ("C35", "智能装备", StrategicCategory.HIGH_END_EQUIPMENT),
    ("C27", "生物医药", StrategicCategory.BIOTECH),
    ("C30", "新材料科技", StrategicCategory.NEW_MATERIALS),
    ("C36", "新能源汽车科技", StrategicCategory.NEW_ENERGY_VEHICLES),
    ("C38", "新能源科技", StrategicCategory.NEW_ENERGY),
    ("M73", "研究院", StrategicCategory.RELATED_SERVICES),
    ("M75", "技术服务", StrategicCategory.RELATED_SERVICES),
    ("N77", "环保科技", StrategicCategory.ENERGY_SAVING),
    ("R87", "数字文化", StrategicCategory.DIGITAL_CREATIVE),
]
_SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林"
_GIVEN = "伟芳娜敏静磊洋勇艳杰军涛明超秀霞平刚桂英华"
_DISTRICTS = ["九龙坡区", "沙坪坝区", "北碚区", "江津区", "璧山区"]
_STAGES = [
    GrowthStage.SEED,
    GrowthStage.STARTUP,
    GrowthStage.GROWTH,
    GrowthStage.EXPANSION,
    GrowthStage.MATURE,
]
# Typical revenue (yuan) by growth stage: a seed firm earns little, a mature one a lot.
_REVENUE = {
    GrowthStage.SEED: (0, 2_000_000),
    GrowthStage.STARTUP: (500_000, 10_000_000),
    GrowthStage.GROWTH: (5_000_000, 50_000_000),
    GrowthStage.EXPANSION: (30_000_000, 200_000_000),
    GrowthStage.MATURE: (100_000_000, 800_000_000),
}


def _name(rng: random.Random, trade: str, taken: set[str]) -> str:
    while True:  # two-character brands first; three characters once those run short
        brand = rng.choice(_FIRST) + "".join(rng.choices(_SECOND, k=rng.choice((1, 2))))
        name = f"重庆{brand}{trade}有限公司"
        if name not in taken:
            taken.add(name)
            return name


def _fen(rng: random.Random, low_yuan: int, high_yuan: int) -> int:
    return rng.randint(low_yuan, high_yuan) * 100 + rng.randint(0, 99)


def _codes(rng: random.Random, n: int) -> list[str]:
    """n credit codes not yet in the registry."""
    codes: list[str] = []
    seen = set(Enterprise.objects.values_list("uscc", flat=True))
    while len(codes) < n:
        code = make_uscc(rng.randrange(10**7, 10**8), division=DEFAULT_DIVISION)
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


@transaction.atomic
def generate_demo_enterprises(
    n: int, rng: random.Random, *, as_of: dt.date | None = None, actor: Any = None
) -> list[int]:
    """Create `n` fictional enterprises with 2–3 years of figures, headcount, IP, team and
    certifications; return their ids. Deterministic for a seeded `rng` and a fixed `as_of`."""
    as_of = as_of or timezone.localdate()
    taken = set(Enterprise.objects.values_list("name", flat=True))
    enterprises = []
    for code in _codes(rng, n):
        industry, trade, category = rng.choice(_TRADES)
        strategic = rng.random() < 0.6
        stage = rng.choices(_STAGES, weights=[15, 30, 30, 15, 10])[0]
        age = {
            GrowthStage.SEED: 2,
            GrowthStage.STARTUP: 4,
            GrowthStage.GROWTH: 8,
            GrowthStage.EXPANSION: 12,
            GrowthStage.MATURE: 20,
        }[stage]
        registered = as_of - dt.timedelta(days=rng.randint(120, age * 365))
        enterprises.append(
            Enterprise(
                uscc=code,
                name=_name(rng, trade, taken),
                registration_date=registered,
                industry_code=registry.industry_code(industry + str(rng.randint(1, 9))),
                strategic_emerging=strategic,
                strategic_category=category if strategic else "",
                growth_stage=stage,
                district=rng.choice(_DISTRICTS),
                address=f"重庆市{rng.choice(_DISTRICTS)}科学城大道{rng.randint(1, 999)}号",
                legal_representative=rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, 2)),
            )
        )
    Enterprise.objects.bulk_create(enterprises, batch_size=500)
    rows: dict[Any, list] = {
        m: [] for m in (FinancialYear, Headcount, IntellectualProperty, Team, Certification)
    }
    for enterprise in enterprises:
        _figures(rng, enterprise, as_of, rows)
    for model, objs in rows.items():
        model._default_manager.bulk_create(objs, batch_size=1000)
    ids = [e.pk for e in enterprises]
    audit.record(
        actor=actor,
        action="enterprise.demo",
        object_type="enterprise",
        after={
            "count": len(ids),
            "first_id": min(ids, default=None),
            "last_id": max(ids, default=None),
        },
    )
    return ids


def _figures(rng: random.Random, e: Enterprise, as_of: dt.date, rows: dict[type, list]) -> None:
    low, high = _REVENUE[e.growth_stage]  # type: ignore[index]
    revenue = _fen(rng, low, high)
    staff = max(3, revenue // 100 // 400_000 + rng.randint(3, 30))
    last_year = as_of.year - 1
    # 2–3 closed years, none before the firm existed (a firm of this year has none yet).
    first_year = max(last_year - rng.randint(1, 2), e.registration_date.year)
    for year in range(first_year, last_year + 1):
        revenue = revenue * rng.randint(85, 140) // 100
        main = revenue * rng.randint(70, 100) // 100
        rd = revenue * rng.randint(3, 25) // 100 + _fen(rng, 100_000, 1_000_000)
        cost = revenue * rng.randint(60, 110) // 100 + rd
        assets = revenue * rng.randint(80, 200) // 100 + _fen(rng, 1_000_000, 5_000_000)
        rows[FinancialYear].append(
            FinancialYear(
                enterprise=e,
                year=year,
                revenue_fen=revenue,
                main_business_revenue_fen=main,
                rd_expense_fen=rd,
                total_cost_fen=cost,
                total_assets_fen=assets,
                total_liabilities_fen=assets * rng.randint(20, 75) // 100,
                operating_cash_flow_fen=revenue - cost + _fen(rng, -500_000, 500_000),
                orders_backlog_fen=revenue * rng.randint(10, 80) // 100,
                top_customer_share=Decimal(rng.randint(800, 6500)) / 10000,
            )
        )
        staff = max(3, staff + rng.randint(-2, 8))
        tech = staff * rng.randint(15, 70) // 100
        rows[Headcount].append(
            Headcount(
                enterprise=e,
                year=year,
                total=staff,
                tech_staff=tech,
                rd_staff=tech * rng.randint(40, 100) // 100,
            )
        )
        rows[IntellectualProperty].append(
            IntellectualProperty(
                enterprise=e,
                year=year,
                invention_patents=rng.randint(0, 12),
                utility_model_patents=rng.randint(0, 30),
                design_patents=rng.randint(0, 5),
                software_copyrights=rng.randint(0, 25),
            )
        )
        top = rng.randint(2, 25)
        rows[Team].append(
            Team(
                enterprise=e,
                year=year,
                founders_max_industry_years=top,
                founders_avg_industry_years=Decimal(rng.randint(10, top * 10)) / 10,
                key_staff_turnover=Decimal(rng.randint(0, 3000)) / 10000,
            )
        )
    for kind, chance in (
        (CertificationKind.TECH_SME, 0.6),
        (CertificationKind.HIGH_TECH_ENTERPRISE, 0.35),
        (CertificationKind.INNOVATIVE_SME, 0.3),
        (CertificationKind.SPECIALISED_SME, 0.15),
        (CertificationKind.LITTLE_GIANT, 0.04),
    ):
        if rng.random() < chance:
            start = as_of - dt.timedelta(days=rng.randint(30, 3 * 365 + 200))
            start = max(start, e.registration_date)
            rows[Certification].append(
                Certification(
                    enterprise=e,
                    kind=kind,
                    certificate_number=f"GR{start.year}{rng.randint(10**8, 10**9 - 1)}",
                    valid_from=start,
                    valid_to=start + dt.timedelta(days=3 * 365 - 1),
                )
            )
