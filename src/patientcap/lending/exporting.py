"""The tiered-loan reports as figures and as an Excel workbook: leverage, PAR30/PAR90, NPL ratio
by bank, losses and recoveries by party, disbursements by month, and the loans themselves.
Amounts in the workbook are yuan numbers with two decimals (cells formatted #,##0.00); ratios are
fractions formatted as percentages."""

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from patientcap.accounts import scoping
from patientcap.lending import selectors
from patientcap.lending.models import Claim, Loan

MONEY = "#,##0.00"
PERCENT = "0.00%"


def report_data(user: Any, on: dt.date) -> dict[str, Any]:
    loans = scoping.readable(user, Loan)
    claims = scoping.readable(user, Claim)
    return {
        "on": on,
        "leverage": selectors.leverage(on),
        "par": selectors.par(loans, on),
        "by_bank": selectors.npl_by_bank(loans, on),
        "losses": selectors.losses_by_party(claims),
        "recovered_fen": sum(r.amount_fen for r in selectors.recoveries(claims)),
        "monthly": selectors.monthly_disbursements(loans),
        "count": loans.count(),
    }


def _yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def _sheet(
    book: Workbook, title: str, header: list[str], rows: list[list[Any]], formats: dict[int, str]
) -> None:
    ws = book.create_sheet(title[:31])
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
        for column, fmt in formats.items():
            ws.cell(row=ws.max_row, column=column).number_format = fmt
    for n in range(1, len(header) + 1):
        ws.column_dimensions[chr(64 + n)].width = 22


def workbook(user: Any, on: dt.date) -> bytes:
    data = report_data(user, on)
    lev, par = data["leverage"], data["par"]
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    _sheet(
        book,
        _("Summary"),
        [_("Figure"), _("Value")],
        [
            [_("As of"), on.isoformat()],
            [_("Tiered loans disbursed (yuan)"), _yuan(lev.tiered_fen)],
            [_("Matched credit disbursed (yuan)"), _yuan(lev.matched_fen)],
            [_("Risk-compensation pool contributions (yuan)"), _yuan(lev.risk_pool_fen)],
            [_("Fiscal pool contributions (yuan)"), _yuan(lev.fiscal_fen)],
            [_("Bank credit per fiscal yuan"), lev.overall],
            [_("Tiered loans per yuan of the risk pool"), lev.tiered],
            [_("Outstanding principal (yuan)"), _yuan(par.total_fen)],
            [_("PAR30"), par.par30],
            [_("PAR90"), par.par90],
            [_("NPL ratio"), par.npl_ratio],
        ],
        {},
    )
    _sheet(
        book,
        _("NPL by bank"),
        [
            _("Bank"),
            _("Outstanding (yuan)"),
            _("Non-performing (yuan)"),
            _("NPL ratio"),
            _("PAR30"),
        ],
        [
            [
                b["bank"],
                _yuan(b["outstanding_fen"]),
                _yuan(b["npl_fen"]),
                b["npl_ratio"],
                b["par30"],
            ]
            for b in data["by_bank"]
        ],
        {2: MONEY, 3: MONEY, 4: PERCENT, 5: PERCENT},
    )
    _sheet(
        book,
        _("Losses by party"),
        [
            _("Party"),
            _("Organisation"),
            _("Loss borne (yuan)"),
            _("Recovered (yuan)"),
            _("Net loss (yuan)"),
        ],
        [
            [
                r["party_label"],
                r["organisation"],
                _yuan(r["loss_fen"]),
                _yuan(r["recovered_fen"]),
                _yuan(r["net_fen"]),
            ]
            for r in data["losses"]
        ],
        {3: MONEY, 4: MONEY, 5: MONEY},
    )
    loans = scoping.readable(user, Loan).select_related("enterprise", "bank", "guarantor")
    by_id = {r.loan_id: r for r in par.rows}
    _sheet(
        book,
        _("Loans"),
        [
            _("Contract"),
            _("Enterprise"),
            _("Bank"),
            _("Guarantor"),
            _("Tier"),
            _("Status"),
            _("Amount (yuan)"),
            _("Outstanding (yuan)"),
            _("Days past due"),
            _("Classification"),
        ],
        [
            [
                loan.contract_number,
                loan.enterprise.name,
                loan.bank.name,
                loan.guarantor.name,
                loan.get_tier_display(),
                loan.get_status_display(),
                _yuan(loan.amount_fen),
                _yuan(by_id[loan.pk].outstanding_fen if loan.pk in by_id else 0),
                by_id[loan.pk].dpd if loan.pk in by_id else 0,
                by_id[loan.pk].category if loan.pk in by_id else "",
            ]
            for loan in loans
        ],
        {7: MONEY, 8: MONEY},
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
