"""Building workbooks for import tests: the template's header and rows given by column key."""

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook

from patientcap.domain.uscc import make_uscc
from patientcap.enterprises.layout import COLUMNS, DATA_SHEET


def good_row(seed: int, **overrides: Any) -> dict[str, Any]:
    row = {
        "uscc": make_uscc(seed),
        "name": f"重庆导入{seed}科技有限公司",
        "registration_date": dt.datetime(2019, 3, 1),
        "industry_code": "6513",
        "strategic_emerging": "是",
        "strategic_category": "新一代信息技术产业",
        "growth_stage": "成长期",
        "district": "九龙坡区",
        "address": "科学城大道8号",
        "legal_representative": "李四",
        "year": 2024,
        "revenue": 12345678.9,
        "main_business_revenue": "1000万",
        "rd_expense": 1500000,
        "total_cost": 9000000,
        "total_assets": 30000000,
        "total_liabilities": 12000000,
        "operating_cash_flow": -250000.5,
        "orders_backlog": 5000000,
        "top_customer_share": 0.35,
        "staff_total": 80,
        "tech_staff": 40,
        "rd_staff": 25,
        "invention_patents": 3,
        "utility_model_patents": 10,
        "design_patents": 1,
        "software_copyrights": 12,
        "founders_max_industry_years": 15,
        "founders_avg_industry_years": 9.5,
        "key_staff_turnover": "8%",
        "high_tech_enterprise_number": "GR202350000123",
        "high_tech_enterprise_valid_from": "2023-11-01",
        "high_tech_enterprise_valid_to": "2026-10-31",
    }
    row.update(overrides)
    return row


def workbook(rows: list[dict[str, Any]], headers: list[str] | None = None) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = DATA_SHEET
    keys = [c.key for c in COLUMNS]
    ws.append(headers if headers is not None else [c.header for c in COLUMNS])
    for row in rows:
        ws.append([row.get(k) for k in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def title(key: str) -> str:
    return next(c.title for c in COLUMNS if c.key == key)
