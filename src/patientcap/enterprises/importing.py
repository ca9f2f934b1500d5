"""Importing enterprises from an Excel workbook: all or nothing, every bad cell reported.

The file is read in three passes. (1) Every cell is read into a typed value (`domain.cells`),
and every row is checked with the same rules as the pages (`validation`), without the database.
(2) Codes repeated in the file, codes registered to enterprises the user may not change, and
new codes when the user may not register enterprises are refused. (3) Only if nothing at all
was refused, everything is written in one transaction with bulk inserts.

A row whose code is already registered updates that enterprise (if the user may change it):
the profile takes the row's values (an empty optional cell clears the field), the reporting
year's figures of each kind that has any value replace that year's row, and each certificate
is added, or updated when the same kind starting the same day exists. Nothing is deleted.

Audit: one entry per created or updated enterprise (action `enterprise.import`: the values
written, or the changed fields before/after), each carrying the SHA-256 digest of the file, so
an enterprise's history shows the import like any other change. New enterprises are chained in
one batch (`audit.append_many`), which keeps a 10,000-row import well inside its 15 s budget
(see benchmarks/enterprises.py); an unchanged row of an existing enterprise records nothing.
"""

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from patientcap.accounts import scoping
from patientcap.audit import services as audit
from patientcap.domain import cells, registry, uscc
from patientcap.domain.messages import Invalid
from patientcap.enterprises import validation
from patientcap.enterprises.layout import COLUMNS, DATA_SHEET, YEARLY_BLOCKS, Column, column_for
from patientcap.enterprises.layout import choice_value as _choice
from patientcap.enterprises.models import (
    YEARLY,
    Certification,
    Enterprise,
)
from patientcap.enterprises.scopes import acts_for_zone

Progress = Callable[[int, int], None]
CHUNK = 2000


@dataclass(frozen=True)
class RowError:
    row: int  # the Excel row number (1 is the header)
    column: str  # the column's name, "" when the whole row or file is meant
    message: str


@dataclass
class ImportResult:
    sha256: str
    rows: int = 0
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Record:
    row: int
    profile: dict[str, Any]
    year: int | None
    blocks: dict[str, dict[str, Any]]  # yearly kind → field values (only kinds with a value)
    certs: dict[str, dict[str, Any]]  # certification kind → field values


def _read_choice(kind: str) -> Callable[[cells.Cell], str | None]:
    def read(value: cells.Cell) -> str | None:
        text = cells.text(value)
        if text is None:
            return None
        found = _choice(kind, text)
        if found is None:
            raise Invalid(
                gettext_noop("%(value)s is not one of the listed values"), {"value": repr(text)}
            )
        return found

    return read


def _read_uscc(value: cells.Cell) -> str | None:
    text = cells.text(value, max_length=40)
    return uscc.normalise(text) if text is not None else None


def _read_industry(value: cells.Cell) -> str | None:
    text = cells.text(value, max_length=20)
    return registry.industry_code(text) if text is not None else None


def _read_years(value: cells.Cell) -> Any:
    return cells.decimal(value, places=1)


READERS: dict[str, Callable[[cells.Cell], Any]] = {
    "uscc": _read_uscc,
    "text": cells.text,
    "date": cells.date,
    "bool": cells.boolean,
    "industry": _read_industry,
    "growth_stage": _read_choice("growth_stage"),
    "strategic_category": _read_choice("strategic_category"),
    "year": cells.integer,
    "amount": cells.amount,
    "ratio": cells.ratio,
    "count": cells.integer,
    "years": _read_years,
}


def _explain_invalid(exc: Invalid) -> str:
    return validation.explain(exc.message)


def _open_sheet(data: bytes) -> Any:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    return book[DATA_SHEET] if DATA_SHEET in book.sheetnames else book.worksheets[0]


def _check_header(header: tuple) -> tuple[list[Column | None], list[RowError]]:
    """The column of each position, and what is wrong with the header row."""
    errors: list[RowError] = []
    positions: list[Column | None] = []
    seen: set[str] = set()
    unexpected = []
    for text in header:
        column = column_for(text)
        if column is None:
            if text not in (None, ""):
                unexpected.append(" ".join(str(text).split()))
            positions.append(None)
            continue
        if column.key in seen:
            errors.append(RowError(1, column.title, gettext("This column appears twice.")))
        seen.add(column.key)
        positions.append(column)
    missing = [c.title for c in COLUMNS if c.key not in seen]
    if missing:
        errors.append(
            RowError(
                1, "", gettext("Missing columns: %(columns)s.") % {"columns": "; ".join(missing)}
            )
        )
    if unexpected:
        errors.append(
            RowError(
                1,
                "",
                gettext("Unexpected columns: %(columns)s. Use the template's header row.")
                % {"columns": "; ".join(unexpected)},
            )
        )
    return positions, errors


def _parse_row(
    number: int,
    values: tuple,
    positions: list[Column | None],
    as_of: dt.date,
    errors: list[RowError],
) -> _Record | None:
    raw: dict[str, Any] = {}
    row_errors: list[RowError] = []
    for column, value in zip(positions, values, strict=False):
        if column is None:
            if value not in (None, ""):
                row_errors.append(
                    RowError(number, "", gettext("There is a value in a column without a header."))
                )
            continue
        try:
            raw[column.key] = READERS[column.kind](value)
        except Invalid as exc:
            row_errors.append(RowError(number, column.title, _explain_invalid(exc)))
            raw[column.key] = _BAD
    record = _build(number, raw, as_of, row_errors)
    errors.extend(row_errors)
    return record if not row_errors else None


_BAD = object()  # a cell that could not be read (already reported)


def _by_block() -> dict[str, list[Column]]:
    blocks: dict[str, list[Column]] = {}
    for column in COLUMNS:
        blocks.setdefault(column.block, []).append(column)
    return blocks


BLOCKS = _by_block()
YEAR_COLUMN = BLOCKS["year"][0]


def _report(number: int, block: str, errors: validation.Errors, out: list[RowError]) -> None:
    columns = {c.field: c for c in BLOCKS[block]}
    for name, messages in errors.items():
        column = columns.get(name) or (YEAR_COLUMN if name == "year" else None)
        title = column.title if column else ""
        out.extend(RowError(number, title, m) for m in messages)


def _build(number: int, raw: dict[str, Any], as_of: dt.date, errors: list[RowError]) -> _Record:
    """Check one row's values together (the rules that span cells) and group them."""
    profile_raw = {c.field: raw.get(c.key) for c in BLOCKS["profile"]}
    if not any(v is _BAD for v in profile_raw.values()):
        profile_raw["strategic_emerging"] = bool(profile_raw["strategic_emerging"])
        profile_raw["strategic_category"] = profile_raw["strategic_category"] or ""
        for name in ("district", "address", "legal_representative"):
            profile_raw[name] = profile_raw[name] or ""
        profile, problems = validation.clean_profile(profile_raw, as_of=as_of)
        _report(number, "profile", problems, errors)
    else:
        profile = {}
    year = raw.get("year")
    blocks: dict[str, dict[str, Any]] = {}
    for kind in YEARLY_BLOCKS:
        values = {c.field: raw.get(c.key) for c in BLOCKS[kind]}
        if all(v is None for v in values.values()):
            continue
        blocks[kind] = values
        if not any(v is _BAD for v in values.values()):
            clean = {
                "financial": validation.clean_financial,
                "headcount": validation.clean_headcount,
                "ip": validation.clean_ip,
                "team": validation.clean_team,
            }[kind]
            _report(number, kind, clean(values), errors)
    if blocks and year is not _BAD:
        if year is None:
            errors.append(
                RowError(
                    number,
                    YEAR_COLUMN.title,
                    gettext("Give the reporting year of the yearly figures."),
                )
            )
        else:
            _report(number, "year", validation.clean_year(year, as_of=as_of), errors)
    certs: dict[str, dict[str, Any]] = {}
    for block, columns in BLOCKS.items():
        if not block.startswith("cert:"):
            continue
        values = {c.field: raw.get(c.key) for c in columns}
        if all(v is None for v in values.values()):
            continue
        kind = block.removeprefix("cert:")
        values["certificate_number"] = values["certificate_number"] or ""
        certs[kind] = values
        if not any(v is _BAD for v in values.values()):
            _report(
                number,
                block,
                validation.clean_certification(
                    kind=kind, valid_from=values["valid_from"], valid_to=values["valid_to"]
                ),
                errors,
            )
    return _Record(number, profile, year if isinstance(year, int) else None, blocks, certs)


class _Refused(Exception):
    """Raised inside the write transaction to roll it back when the database checks fail."""


def import_workbook(
    *, actor: Any, data: bytes, as_of: dt.date | None = None, progress: Progress | None = None
) -> ImportResult:
    """Read `data` (an .xlsx file) and, if every row is acceptable, write it all."""
    as_of = as_of or timezone.localdate()
    result = ImportResult(sha256=hashlib.sha256(data).hexdigest())
    if not scoping.writable(actor, Enterprise).exists() and not acts_for_zone(actor):
        result.errors.append(RowError(0, "", gettext("You cannot change any enterprise.")))
        return result
    sheet = _open_sheet(data)
    if sheet is None:
        result.errors.append(
            RowError(
                0,
                "",
                gettext(
                    "This is not an Excel workbook (.xlsx). Start from the downloadable template."
                ),
            )
        )
        return result
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        result.errors.append(RowError(1, "", gettext("The sheet is empty.")))
        return result
    positions, result.errors = _check_header(header)
    if result.errors:
        return result
    total = max((sheet.max_row or 1) - 1, 0)
    records: list[_Record] = []
    for number, values in enumerate(rows, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        result.rows += 1
        record = _parse_row(number, values, positions, as_of, result.errors)
        if record is not None:
            records.append(record)
        if progress and result.rows % 500 == 0:
            progress(result.rows, total)
    _check_repeats(records, result.errors)
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result
    try:
        with transaction.atomic():
            _write(actor, records, result, as_of, progress)
    except _Refused:
        result.created, result.updated = [], []
        result.errors.sort(key=lambda e: e.row)
    return result


def _check_repeats(records: list[_Record], errors: list[RowError]) -> None:
    first: dict[str, int] = {}
    title = BLOCKS["profile"][0].title
    for record in records:
        code = record.profile.get("uscc")
        if code is None:
            continue
        if code in first:
            errors.append(
                RowError(
                    record.row,
                    title,
                    gettext("%(uscc)s is already in row %(row)d of this file.")
                    % {"uscc": code, "row": first[code]},
                )
            )
        else:
            first[code] = record.row


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write(
    actor: Any,
    records: list[_Record],
    result: ImportResult,
    as_of: dt.date,
    progress: Progress | None,
) -> None:
    codes = [r.profile["uscc"] for r in records]
    existing: dict[str, Enterprise] = {}
    for chunk in _chunks(codes):
        existing.update((e.uscc, e) for e in Enterprise.objects.filter(uscc__in=chunk))
    allowed: set[int] = set()
    ids = [e.pk for e in existing.values()]
    for chunk in _chunks(ids):
        allowed.update(
            scoping.writable(actor, Enterprise).filter(pk__in=chunk).values_list("pk", flat=True)
        )
    may_register = acts_for_zone(actor)
    title = BLOCKS["profile"][0].title
    for record in records:
        found = existing.get(record.profile["uscc"])
        # One message for "not registered" and "not yours": the import must not reveal which
        # credit codes are in the registry to someone who may not see them.
        if (found is None and not may_register) or (found is not None and found.pk not in allowed):
            result.errors.append(
                RowError(
                    record.row,
                    title,
                    gettext(
                        "%(uscc)s is not an enterprise you may change; only the zone officer "
                        "registers new enterprises."
                    )
                    % {"uscc": record.profile["uscc"]},
                )
            )
    if result.errors:
        raise _Refused
    now = timezone.now()
    new = [Enterprise(**r.profile) for r in records if r.profile["uscc"] not in existing]
    Enterprise.objects.bulk_create(new, batch_size=500)
    by_code = {e.uscc: e for e in new}
    result.created = [e.pk for e in new]
    before_by_id: dict[int, dict] = {}
    for record in records:
        enterprise = existing.get(record.profile["uscc"])
        if enterprise is None:
            continue
        before = {f: getattr(enterprise, f) for f in validation.PROFILE_FIELDS}
        changed = {k: v for k, v in record.profile.items() if before[k] != v}
        if changed:
            # One UPDATE of the changed fields per enterprise: Django's bulk_update builds a
            # CASE per field and row, which costs far more than it saves at this size.
            Enterprise.objects.filter(pk=enterprise.pk).update(**changed, updated_at=now)
        before_by_id[enterprise.pk] = before
        by_code[enterprise.uscc] = enterprise
    result.updated = list(before_by_id)
    enterprise_of = {r.row: by_code[r.profile["uscc"]].pk for r in records}
    yearly_before = _write_yearly(records, enterprise_of, set(before_by_id))
    certs_before = _write_certifications(records, enterprise_of, set(before_by_id))
    if progress:
        progress(len(records), len(records))
    created, updates = [], []
    for record in records:
        pk = enterprise_of[record.row]
        after = {
            **record.profile,
            **({"year": record.year, **record.blocks} if record.blocks else {}),
            **({"certifications": record.certs} if record.certs else {}),
        }
        if pk not in before_by_id:
            created.append((pk, {"file_sha256": result.sha256, **after}))
            continue
        before = {
            **before_by_id[pk],
            **yearly_before.get(pk, {}),
            **({"certifications": certs_before[pk]} if pk in certs_before else {}),
        }
        changed_keys = [k for k in after if before.get(k) != after[k]]
        if changed_keys:
            updates.append(
                (
                    pk,
                    {k: before.get(k) for k in changed_keys},
                    {"file_sha256": result.sha256, **{k: after[k] for k in changed_keys}},
                )
            )
    # The audit entries come last, so the chain head is held only for the moment they take.
    audit.append_many(
        actor=actor, action="enterprise.import", object_type="enterprise", items=created, at=now
    )
    for pk, before, after in updates:
        audit.record(
            actor=actor,
            action="enterprise.import",
            object_type="enterprise",
            object_id=pk,
            before=before,
            after=after,
            at=now,
        )


def _write_yearly(
    records: list[_Record], enterprise_of: dict[int, int], updated: set[int]
) -> dict[int, dict]:
    """Insert or replace each row's yearly figures; return what updated enterprises had."""
    before: dict[int, dict] = {}
    for kind, model in YEARLY.items():
        fields = [c.field for c in BLOCKS[kind]]
        wanted = {
            (enterprise_of[r.row], r.year): r.blocks[kind] for r in records if kind in r.blocks
        }
        stored = {}
        keys = [k for k in wanted if k[0] in updated]
        for chunk in _chunks(sorted({k[0] for k in keys})):
            for row in model._default_manager.filter(enterprise_id__in=chunk):
                if (row.enterprise_id, row.year) in wanted:
                    stored[(row.enterprise_id, row.year)] = row
        new, replaced = [], []
        for (pk, year), values in wanted.items():
            row = stored.get((pk, year))
            if row is not None:
                held = {f: getattr(row, f) for f in fields}
                before.setdefault(pk, {"year": year})[kind] = held
                if held == values:
                    continue
                replaced.append(row.pk)
            new.append(model(enterprise_id=pk, year=year, **values))
        # A changed year's row is replaced as a whole (nothing refers to these rows).
        for chunk in _chunks(replaced):
            model._default_manager.filter(pk__in=chunk).delete()
        model._default_manager.bulk_create(new, batch_size=1000)
    return before


def _write_certifications(
    records: list[_Record], enterprise_of: dict[int, int], updated: set[int]
) -> dict[int, dict]:
    """Add or update each row's certificates (matched by kind and first day); return, for
    updated enterprises, what the matched certificates held before (None: it was added)."""
    fields = ["certificate_number", "valid_from", "valid_to"]
    wanted = {
        (enterprise_of[r.row], kind, values["valid_from"]): values
        for r in records
        for kind, values in r.certs.items()
    }
    stored: dict[tuple, Certification] = {}
    for chunk in _chunks(sorted({k[0] for k in wanted if k[0] in updated})):
        for cert in Certification.objects.filter(enterprise_id__in=chunk):
            stored[(cert.enterprise_id, cert.kind, cert.valid_from)] = cert
    before: dict[int, dict] = {}
    new: list[Certification] = []
    for key, values in wanted.items():
        pk, kind, _ = key
        found = stored.get(key)
        if pk in updated:
            before.setdefault(pk, {})[kind] = (
                {f: getattr(found, f) for f in fields} if found else None
            )
        if found is None:
            new.append(Certification(enterprise_id=pk, kind=kind, **values))
        elif any(getattr(found, f) != values[f] for f in fields):
            Certification.objects.filter(pk=found.pk).update(**values)
    Certification.objects.bulk_create(new, batch_size=1000)
    return before
