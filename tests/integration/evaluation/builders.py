"""Builders shared by the evaluation tests: firm A with two years of figures that score well."""

import datetime as dt
from decimal import Decimal

from django.test import Client

from patientcap.enterprises import services as registry

AS_OF = dt.date(2025, 6, 30)


def rich_figures(actor, enterprise_id: int) -> None:
    """Two years of figures that score well on the tech card (firm A)."""
    registry.save_year_figures(
        actor=actor,
        enterprise_id=enterprise_id,
        year=2023,
        figures={"financial": {"revenue_fen": 80_000_000_00}},
    )
    registry.save_year_figures(
        actor=actor,
        enterprise_id=enterprise_id,
        year=2024,
        figures={
            "financial": {
                "revenue_fen": 100_000_000_00,
                "main_business_revenue_fen": 90_000_000_00,
                "rd_expense_fen": 7_000_000_00,
                "total_assets_fen": 200_000_000_00,
                "total_liabilities_fen": 80_000_000_00,
                "operating_cash_flow_fen": 5_000_000_00,
                "top_customer_share": Decimal("0.2"),
            },
            "headcount": {"total": 100, "tech_staff": 40, "rd_staff": 25},
            "ip": {"invention_patents": 6, "utility_model_patents": 3, "software_copyrights": 2},
            "team": {"founders_max_industry_years": 12, "key_staff_turnover": Decimal("0.05")},
        },
    )


def session(user) -> Client:
    """A signed-in browser of `user`, reading English."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client
