"""`patientcap enterprises import FILE --as USERNAME` and `patientcap enterprises export FILE
--as USERNAME`: the Excel import and export of the registry pages, as that user (same scope,
same checks, same audit entries). An import that is refused prints every problem and exits 1."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from patientcap.accounts.models import User
from patientcap.enterprises import exporting, importing, selectors


class Command(BaseCommand):
    help = "Import enterprises from an Excel workbook, or export them to one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("import", "the workbook to import"),
            ("export", "the workbook to write"),
        ):
            p = sub.add_parser(name, help=f"{name} enterprises")
            p.add_argument("file", type=Path, help=text)
            p.add_argument(
                "--as",
                dest="username",
                required=True,
                help="act as this user (their scope and rights apply)",
            )

    def handle(self, *args: Any, action: str, file: Path, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {username!r}")
        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        if action == "export":
            filters = selectors.ListFilters()
            with file.open("wb") as out:
                count = exporting.export_workbook(
                    user, selectors.enterprises(user, filters, today=timezone.localdate()), out
                )
            console.print(f"Exported {count} enterprises to {file}.")
            return
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Reading and checking", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total or None)

            result = importing.import_workbook(actor=user, data=file.read_bytes(), progress=advance)
        if result.ok:
            console.print(
                f"Imported {result.rows} rows: {len(result.created)} enterprises "
                f"registered, {len(result.updated)} updated (file sha256 "
                f"{result.sha256})."
            )
            return
        table = Table("Row", "Column", "Problem", title="Nothing was imported")
        for e in result.errors:
            table.add_row(str(e.row or "—"), e.column or "—", e.message)
        console.print(table)
        raise CommandError(f"{len(result.errors)} problems; nothing was imported")
