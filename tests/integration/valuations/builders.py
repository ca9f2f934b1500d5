"""Builders shared by the valuation tests (integration, e2e, scoping walk): method inputs for a
seed-stage firm and one for a growth-stage firm, with values worked out by hand."""

import datetime as dt

from patientcap.valuations import services

AS_OF = dt.date(2025, 6, 30)

# Seed stage. Berkus at 7.2 CNY/USD: factor cap 360万, pre-revenue cap 1440万, year-5 revenue
# threshold 1.44亿; 300万 + 200万 + 200万 + 100万 = 800万.
SEED_INPUTS = {
    "berkus": {
        "cny_per_usd": "7.2",
        "year5_revenue_potential": "5亿",
        "factors": {
            "sound_idea": "300万",
            "prototype": "200万",
            "management_team": "200万",
            "strategic_relationships": "100万",
        },
    },
    # 2000万 × (1 + 0.30 × 0.5) = 2300万
    "scorecard": {
        "median_pre_money": "2000万",
        "ratios": {
            "team": "1.5",
            "opportunity_size": "1",
            "product_technology": "1",
            "competitive_environment": "1",
            "marketing_sales_partnerships": "1",
            "need_for_further_investment": "1",
            "other": "1",
        },
    },
    # 1500万 + 2 × 200万 = 1900万
    "risk_factor_summation": {
        "base": "1500万",
        "step": "200万",
        "scores": {"management": 1, "technology": 2, "funding": -1},
    },
}
SEED_VALUES = {
    "berkus": 800_000_000,
    "scorecard": 2_300_000_000,
    "risk_factor_summation": 1_900_000_000,
}

# Growth stage: VC 1亿 × 3 / 10 = 3000万 post, − 500万 = 2500万 pre;
# First Chicago 0.25 × 8000万 + 0.5 × 2000万 + 0.25 × 0 = 3000万 (rate 0);
# market multiples 1000万 × median(2, 3, 5) = 3000万 (2000万..5000万).
GROWTH_INPUTS = {
    "vc": {
        "exit_metric": "1亿",
        "exit_multiple": "3",
        "investment": "500万",
        "target_multiple": "10",
    },
    "first_chicago": {
        "discount_rate": "0",
        "scenarios": [
            {"name": "success", "probability": "0.25", "value": "8000万"},
            {"name": "sideways", "probability": "0.5", "value": "2000万"},
            {"name": "failure", "probability": "0.25", "value": "0"},
        ],
    },
    "market_multiples": {
        "metric": "1000万",
        "metric_name": "revenue",
        "comparables": {"A": "2", "B": "3", "C": "5"},
    },
}


def seed_valuation(actor, enterprise, **overrides):
    options = {
        "actor": actor,
        "enterprise_id": enterprise.pk,
        "valued_on": AS_OF,
        "stage": "seed",
        "purpose": "investment",
        "inputs": SEED_INPUTS,
        "rationale": "equal weights of the three pre-revenue methods",
    }
    options.update(overrides)
    return services.save_valuation(**options)


def growth_valuation(actor, enterprise, **overrides):
    options = {
        "actor": actor,
        "enterprise_id": enterprise.pk,
        "valued_on": AS_OF,
        "stage": "growth",
        "purpose": "investment",
        "inputs": GROWTH_INPUTS,
        "rationale": "the median multiple is the market's view",
        "chosen": "3000万",
        "investment": "500万",
    }
    options.update(overrides)
    return services.save_valuation(**options)
