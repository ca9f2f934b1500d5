"""The portfolio as an Excel workbook: one sheet of projects with their money and metrics, one of
the pool's figures and one of the loss ratio by vintage. Amounts are exact decimal yuan (never
floats), ratios and rates exact decimals; headers are bilingual (Chinese first)."""

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from patientcap.domain.money import to_yuan
from patientcap.investments import selectors

AMOUNT, RATIO = "#,##0.00", "0.0000"


def _money(fen: int) -> Decimal:
    return to_yuan(fen)


def _sheet(
    wb: Workbook, title: str, header: list[str], rows: list[list[Any]], formats: dict[int, str]
) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for col, fmt in formats.items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = fmt
    ws.freeze_panes = "A2"


def portfolio_workbook(rows: selectors.Rows, as_of: dt.date) -> bytes:
    result = selectors.portfolio(rows, as_of)
    agreed = dict(rows.agreements.values_list("project_id", "amount_fen"))
    lines = []
    for r in result.rows:
        m = r.metrics.multiples
        lines.append(
            [
                r.project_id,
                r.enterprise,
                r.title,
                r.stage,
                _money(agreed.get(r.project_id, 0)),
                _money(m.invested_fen),
                _money(m.distributed_fen),
                _money(m.residual_fen),
                m.dpi,
                m.rvpi,
                m.tvpi,
                m.moic,
                r.metrics.xirr.value,
            ]
        )
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        "项目 Projects",
        [
            "编号 ID",
            "企业 Enterprise",
            "项目 Project",
            "阶段 Stage",
            "协议金额 Agreement (¥)",
            "已投 Invested (¥)",
            "已回流 Returned (¥)",
            "未实现价值 Residual (¥)",
            "DPI",
            "RVPI",
            "TVPI",
            "MOIC",
            "XIRR",
        ],
        lines,
        {
            5: AMOUNT,
            6: AMOUNT,
            7: AMOUNT,
            8: AMOUNT,
            9: RATIO,
            10: RATIO,
            11: RATIO,
            12: RATIO,
            13: RATIO,
        },
    )
    total = result.total.multiples
    f = selectors.pool_figures(rows, as_of)
    _sheet(
        wb,
        "资金池 Pool",
        ["指标 Figure", "数值 Value"],
        [
            ["截至 As of", as_of],
            ["财政注资 Contributions (¥)", _money(f.contributions_fen)],
            ["已投 Invested (¥)", _money(f.invested_fen)],
            ["已回流 Returned (¥)", _money(f.returned_fen)],
            ["已核销 Written off (¥)", _money(f.written_off_fen)],
            ["资金池现金 Cash (¥)", _money(f.cash_fen)],
            ["已承诺未拨付 Committed (¥)", _money(f.committed_fen)],
            ["可用 Available (¥)", _money(f.available_fen)],
            ["回流率 Recycling rate", f.recycling_rate],
            ["组合 DPI", total.dpi],
            ["组合 TVPI", total.tvpi],
            ["组合 XIRR", result.total.xirr.value],
        ],
        {},
    )
    _sheet(
        wb,
        "亏损率 Loss by vintage",
        ["年份 Year", "已投 Invested (¥)", "已核销 Written off (¥)", "亏损率 Loss ratio"],
        [
            [v.year, _money(v.invested_fen), _money(v.written_off_fen), v.loss_ratio]
            for v in selectors.loss_ratio_by_vintage(rows, as_of)
        ],
        {2: AMOUNT, 3: AMOUNT, 4: RATIO},
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
