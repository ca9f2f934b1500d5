"""`patientcap score --ruleset ID [--ruleset-version V] (--file IN | --registry --as USER)
--out OUT`: score a CSV or Excel file of firms, or the whole registry, with a named rule set,
and write a CSV or Excel file with each firm's total, grade, credit line, gate result and (up to
four) reasons.

A file's header names its columns: the rule-set input fields (`patientcap.domain.ruleset.FIELDS`;
amounts in integer fen, ratios as decimals, flags as 1/0) plus optional `id`, `name` and `uscc`
columns carried to the output. An unknown column, a cell that is not an exact number, a missing
file or an unknown rule set is refused with a clear message and nothing is written. Scoring a
file stores nothing; scoring the registry stores one evaluation per firm (a batch, audited), as
the batch page does, and needs a zone staff user.
"""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from openpyxl import Workbook, load_workbook
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from patientcap.accounts.models import User
from patientcap.core.clock import today
from patientcap.domain import scoring
from patientcap.domain.ruleset import FIELDS
from patientcap.evaluation import batch, rulesets, services, whatif

CARRIED = ("id", "name", "uscc")
CHUNK = 1_000
YES, NO = {"1", "true", "yes", "是"}, {"0", "false", "no", "否"}


class Refused(CommandError):
    pass


def _rows_of(path: Path) -> tuple[list[str], Iterator[list[Any]]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        reader = csv.reader(io.StringIO(text))
        header = next(reader, None)
        if header is None:
            raise Refused(f"{path} is empty: the first row must name the columns")
        return [h.strip() for h in header], (list(r) for r in reader)
    if suffix == ".xlsx":
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise Refused(f"{path} is empty: the first row must name the columns")
        return [str(h or "").strip() for h in first], (list(r) for r in rows)
    raise Refused(f"{path}: give a .csv or .xlsx file")


def _cell(field: str, value: Any) -> Decimal | int | bool | None:
    """The exact value of one cell (Excel numbers arrive as floats: read through their text)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if field in whatif.FLAG_FIELDS:
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise ValueError("a flag is 1 or 0")
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a number")
    if field.endswith("_fen"):
        if number != number.to_integral_value():
            raise ValueError(f"{text!r}: amounts are whole fen")
        return int(number)
    return number


class Command(BaseCommand):
    help = "Score a CSV or Excel file of firms, or the registry, with a named rule set."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ruleset", required=True, help="rule set id, e.g. tech-credit-card")
        parser.add_argument(
            "--ruleset-version", dest="ruleset_version", help="default: the one in force"
        )
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--file", type=Path, help="a .csv or .xlsx file of firms")
        source.add_argument(
            "--registry", action="store_true", help="score every registered enterprise"
        )
        parser.add_argument(
            "--as", dest="username", help="with --registry: the zone staff user scoring"
        )
        parser.add_argument("--out", type=Path, required=True, help="the .csv or .xlsx to write")
        parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="reason language")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stderr, highlight=False)  # type: ignore[arg-type]
        out: Path = options["out"]
        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise Refused(f"{out}: the output is a .csv or .xlsx file")
        try:
            loaded = rulesets.get(options["ruleset"], options["ruleset_version"], today())
        except LookupError as exc:
            raise Refused(str(exc.args[0])) from None
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        if options["registry"]:
            header, rows = self._registry(loaded, options, progress)
        else:
            header, rows = self._file(loaded, options["file"], options["lang"], progress)
        self._write(out, header, rows)
        console.print(
            f"Scored {len(rows)} firms with {loaded.ruleset.id} v{loaded.ruleset.version} → {out}"
        )

    def _file(
        self, loaded: rulesets.Loaded, path: Path, lang: str, progress: Progress
    ) -> tuple[list[str], list[list[Any]]]:
        if path is None or not path.is_file():
            raise Refused(f"{path} does not exist or is not a file")
        header, raw = _rows_of(path)
        unknown = [h for h in header if h not in FIELDS and h not in CARRIED]
        if unknown:
            raise Refused(
                f"unknown columns {', '.join(map(repr, unknown))}; a column is one of "
                f"{', '.join(CARRIED)} or a rule-set input field: {', '.join(sorted(FIELDS))}"
            )
        wanted = set(scoring.normalise(loaded.ruleset, {}))
        fields = [h for h in header if h in FIELDS]
        problems, firms, carried = [], [], []
        for n, row in enumerate(raw, start=2):
            if not any(v not in (None, "") for v in row):
                continue
            cells = dict(zip(header, row, strict=False))
            values: dict[str, Any] = {}
            for f in fields:
                try:
                    values[f] = _cell(f, cells.get(f))
                except ValueError as exc:
                    problems.append(f"row {n}, column {f}: {exc}")
            firms.append(values)
            carried.append([cells.get(c, "") for c in CARRIED if c in header])
        if problems:
            shown = "\n".join(problems[:20])
            more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
            raise Refused(f"{len(problems)} bad cells; nothing was written:\n{shown}{more}")
        absent = sorted(wanted - set(fields))
        if absent:
            self.stderr.write(f"note: no column for {', '.join(absent)}: scored as missing")
        results: list[scoring.Evaluation] = []
        with progress:
            task = progress.add_task("Scoring", total=len(firms))
            for start in range(0, len(firms), CHUNK):
                part = firms[start : start + CHUNK]
                results += batch.score_many(loaded.text, loaded.source_name, part)
                progress.update(task, completed=len(results))
        head = [c for c in CARRIED if c in header] + self._result_header()
        rows = [ids + self._result_row(ev, lang) for ids, ev in zip(carried, results, strict=True)]
        return head, rows

    def _registry(
        self, loaded: rulesets.Loaded, options: dict[str, Any], progress: Progress
    ) -> tuple[list[str], list[list[Any]]]:
        username = options["username"]
        if not username:
            raise Refused("--registry needs --as USERNAME (a zone staff user)")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise Refused(f"no active user named {username!r}")
        with progress:
            task = progress.add_task("Scoring the registry", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total or None)

            try:
                run = services.score_registry(
                    actor=user,
                    ruleset_id=loaded.ruleset.id,
                    version=loaded.ruleset.version,
                    as_of=today(),
                    progress=advance,
                )
            except services.Refused as exc:
                raise Refused(str(exc)) from None
        lang = options["lang"]
        rows = []
        for ev in run.evaluations.select_related("enterprise").order_by("enterprise_id"):
            reasons = [r["zh"] if lang == "zh" else r["en"] for r in ev.reasons]
            rows.append(
                [
                    ev.enterprise_id,
                    ev.enterprise.name,
                    ev.enterprise.uscc,
                    str(ev.total),
                    ev.grade,
                    ev.credit_line_fen,
                    int(ev.passed),
                    ";".join(r["code"] for r in ev.reasons),
                    *(reasons + [""] * (4 - len(reasons))),
                ]
            )
        return list(CARRIED) + self._result_header(), rows

    @staticmethod
    def _result_header() -> list[str]:
        return [
            "total",
            "grade",
            "credit_line_fen",
            "passed",
            "reason_codes",
            "reason_1",
            "reason_2",
            "reason_3",
            "reason_4",
        ]

    @staticmethod
    def _result_row(ev: scoring.Evaluation, lang: str) -> list[Any]:
        texts = [r.text_zh if lang == "zh" else r.text_en for r in ev.reasons]
        return [
            str(ev.total),
            ev.grade,
            ev.credit_line_fen,
            int(ev.passed),
            ";".join(r.code for r in ev.reasons),
            *(texts + [""] * (4 - len(texts))),
        ]

    @staticmethod
    def _write(out: Path, header: list[str], rows: list[list[Any]]) -> None:
        if out.suffix.lower() == ".csv":
            with out.open("w", encoding="utf-8-sig", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(header)
                writer.writerows(rows)
            return
        book = Workbook(write_only=True)
        sheet = book.create_sheet("scores")
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        book.save(out)
