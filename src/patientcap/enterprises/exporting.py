"""Writing enterprise workbooks: the empty template and the export of a user's enterprises.

Both use the layout of `layout.py`, so an exported file imports again unchanged. The export
holds, per enterprise, the latest reporting year that has any figures and, per certificate kind,
the certificate that ends last. Amounts are written as exact decimal numbers of yuan (never
floats); the legal representative is masked for readers who may not see it in full.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from patientcap.accounts import scoping
from patientcap.domain import money, registry
from patientcap.enterprises.layout import (
    CERT_ZH,
    COLUMNS,
    DATA_SHEET,
    GROWTH_STAGE_ZH,
    INSTRUCTIONS_SHEET,
    STRATEGIC_ZH,
    YEARLY_BLOCKS,
)
from patientcap.enterprises.models import (
    YEARLY,
    Certification,
    Enterprise,
)
from patientcap.enterprises.scopes import sees_personal_data

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMATS = {"amount": "#,##0.00", "ratio": "0.00%", "date": "yyyy-mm-dd", "years": "0.0"}
_LAST_ROW = 1_048_576

_INSTRUCTIONS = [
    ("填写说明", "How to fill in this workbook"),
    (
        "每行一家企业。第一行是表头，请勿修改、删除或增加列；列的顺序可以调整。",
        "One enterprise per row. Row 1 is the header: do not rename, remove or add columns "
        "(their order may change).",
    ),
    (
        "导入要么全部成功，要么全部不写入：任何一处错误都会列出（行号、列名、原因），"
        "数据库不做任何更改。",
        "An import is all or nothing: every problem is listed (row, column, reason) and nothing "
        "is written until the whole file is correct.",
    ),
    (
        "统一社会信用代码已登记的行会更新该企业（仅限您有权修改的企业）；"
        "空白的选填项会被清空；证书只新增或更新，不会删除。",
        "A row whose credit code is registered updates that enterprise (only if you may change "
        "it); empty optional profile cells clear the field; certificates are added or updated, "
        "never deleted.",
    ),
    (
        "年度数据（财务、人员、知识产权、团队）属于“报告年度”列中的年份；某一类全部留空表示不导入该类。",
        "Yearly figures (financial, headcount, IP, team) belong to the reporting year; leave a "
        "whole group empty to import none of it.",
    ),
    (
        "金额单位为元，最多两位小数，也可写“200万”；比例写 0.35 或 35%；日期写 2024-03-01。",
        "Amounts are in yuan with up to two decimals, or text such as 200万; shares as 0.35 or "
        "35%; dates as 2024-03-01.",
    ),
    (
        "统一社会信用代码请设为文本格式，否则 Excel 会丢失数字。",
        "Format the credit code column as text, or Excel loses digits.",
    ),
]


def _cell(ws: Any, value: Any, kind: str) -> Any:
    cell = WriteOnlyCell(ws, value=value)
    if kind in _FORMATS and value is not None:
        cell.number_format = _FORMATS[kind]
    return cell


def _header(ws: Any) -> None:
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    cells = []
    for column in COLUMNS:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        cells.append(cell)
    for index, column in enumerate(COLUMNS, start=1):
        width = 24 if column.kind in ("uscc", "text") and column.block == "profile" else 16
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "C2"
    _dropdowns(ws)
    ws.append(cells)


def _dropdowns(ws: Any) -> None:
    lists = {
        "bool": ["是", "否"],
        "growth_stage": list(GROWTH_STAGE_ZH.values()),
        "strategic_category": list(STRATEGIC_ZH.values()),
    }
    for index, column in enumerate(COLUMNS, start=1):
        if column.kind in lists:
            dv = DataValidation(
                type="list", formula1='"' + ",".join(lists[column.kind]) + '"', allow_blank=True
            )
            letter = get_column_letter(index)
            dv.add(f"{letter}2:{letter}{_LAST_ROW}")
            ws.data_validations.append(dv)
        elif column.kind == "uscc":
            letter = get_column_letter(index)
            ws.column_dimensions[letter].number_format = "@"


def _instructions(book: Workbook) -> None:
    ws = book.create_sheet(INSTRUCTIONS_SHEET)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 34
    ws.column_dimensions["C"].width = 8
    ws.column_dimensions["D"].width = 46
    ws.column_dimensions["E"].width = 46
    for zh, en in _INSTRUCTIONS:
        ws.append([zh, en])
    ws.append([])
    ws.append(
        ["列（中文）", "Column (English)", "必填 Required", "格式（中文）", "Format (English)"]
    )
    for column in COLUMNS:
        ws.append(
            [
                column.zh,
                column.en,
                "是 yes" if column.required else "",
                column.note_zh,
                column.note_en,
            ]
        )
    ws.append([])
    ws.append(["行业大类 (GB/T 4754-2017)", "Division"])
    for division, name in registry.DIVISIONS.items():
        ws.append([f"{registry.section_of(division)}{division}", name])


def write_workbook(rows: Iterable[list[Any]], out: IO[bytes], *, count: int = 0) -> None:
    """Write the data sheet (header, then `rows` in COLUMNS order) and the instructions.

    With the number of rows known (`count`), the sheet records its size as Excel does; a
    streamed sheet otherwise has none, and read-only readers (openpyxl's included) then scan
    the whole sheet once just to learn it."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(DATA_SHEET)
    if count:
        last = f"{get_column_letter(len(COLUMNS))}{count + 1}"
        ws.calculate_dimension = lambda: f"A1:{last}"  # read by openpyxl's sheet writer
    _header(ws)
    kinds = [c.kind for c in COLUMNS]
    for row in rows:
        ws.append([_cell(ws, v, k) for v, k in zip(row, kinds, strict=True)])
    _instructions(book)
    book.save(out)


def write_template(out: IO[bytes]) -> None:
    write_workbook([], out)


def _latest(models_rows: dict[str, dict[int, dict[int, Any]]]) -> dict[int, int]:
    """Per enterprise, the latest year with any yearly figures."""
    latest: dict[int, int] = {}
    for by_enterprise in models_rows.values():
        for pk, years in by_enterprise.items():
            latest[pk] = max(latest.get(pk, 0), max(years))
    return latest


def _yearly_rows(user: Any, ids: QuerySet) -> dict[str, dict[int, dict[int, Any]]]:
    out: dict[str, dict[int, dict[int, Any]]] = {}
    for kind in YEARLY_BLOCKS:
        rows = scoping.readable(user, YEARLY[kind]).filter(enterprise__in=ids)
        table: dict[int, dict[int, Any]] = {}
        for row in rows.iterator(chunk_size=5000):
            table.setdefault(row.enterprise_id, {})[row.year] = row
        out[kind] = table
    return out


def _certificates(user: Any, ids: QuerySet) -> dict[tuple[int, str], Certification]:
    last: dict[tuple[int, str], Certification] = {}
    rows = scoping.readable(user, Certification).filter(enterprise__in=ids).order_by("valid_to")
    for cert in rows.iterator(chunk_size=5000):
        last[(cert.enterprise_id, cert.kind)] = cert  # ordered by valid_to: the last one wins
    return last


def _value(column_kind: str, value: Any) -> Any:
    if value is None:
        return None
    if column_kind == "amount":
        return money.to_yuan(value)
    if column_kind == "bool":
        return "是" if value else "否"
    if column_kind == "growth_stage":
        return GROWTH_STAGE_ZH.get(value, value)
    if column_kind == "strategic_category":
        return STRATEGIC_ZH.get(value) if value else None
    if column_kind in ("ratio", "years") and isinstance(value, Decimal):
        return value
    if isinstance(value, str) and not value:
        return None
    return value


def export_rows(user: Any, enterprises: "QuerySet[Enterprise]") -> Iterator[list[Any]]:
    """The rows of the export for `enterprises` (a queryset from `scoping.readable`)."""
    ids = enterprises.values("pk")
    yearly = _yearly_rows(user, ids)
    latest = _latest(yearly)
    certs = _certificates(user, ids)
    for enterprise in enterprises.order_by("pk").iterator(chunk_size=2000):
        year = latest.get(enterprise.pk)
        sources: dict[str, Any] = {"profile": enterprise, "year": None}
        for kind in YEARLY_BLOCKS:
            sources[kind] = yearly[kind].get(enterprise.pk, {}).get(year) if year else None
        for kind in CERT_ZH:
            sources[f"cert:{kind}"] = certs.get((enterprise.pk, kind))
        full = sees_personal_data(user, enterprise)
        row = []
        for column in COLUMNS:
            if column.block == "year":
                value: Any = year if any(sources[k] for k in YEARLY_BLOCKS) else None
            else:
                source = sources[column.block]
                value = getattr(source, column.field) if source is not None else None
            if column.field == "legal_representative" and value and not full:
                value = registry.mask_name(value)
            row.append(_value(column.kind, value))
        yield row


def export_workbook(user: Any, enterprises: "QuerySet[Enterprise]", out: IO[bytes]) -> int:
    """Write the export and return how many enterprises it holds."""
    count = 0

    def counted() -> Iterator[list[Any]]:
        nonlocal count
        for row in export_rows(user, enterprises):
            count += 1
            yield row

    write_workbook(counted(), out, count=enterprises.count())
    return count


def filename(prefix: str, today: dt.date) -> str:
    return f"{prefix}-{today.isoformat()}.xlsx"
