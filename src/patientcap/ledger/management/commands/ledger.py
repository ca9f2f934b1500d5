"""`patientcap ledger verify`: re-check every ledger invariant over the stored books; print each
breach and exit non-zero if there is any.

`patientcap ledger chart`: create the accounts of the chart that are missing (also done after
every migrate)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from patientcap.ledger.chart import ensure_chart
from patientcap.ledger.verification import verify


class Command(BaseCommand):
    help = "Ledger operations: verify (re-check every invariant), chart (create missing accounts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify", "chart"])

    def handle(self, *args: Any, operation: str, **options: Any) -> None:
        if operation == "chart":
            created = ensure_chart()
            self.stdout.write(
                f"{len(created)} account(s) created"
                + (f": {', '.join(created)}" if created else "")
            )
            return
        breaches = verify()
        for breach in breaches:
            self.stdout.write(f"BREACH {breach}")
        if breaches:
            raise CommandError(f"ledger verify: {len(breaches)} breach(es) found")
        self.stdout.write(self.style.SUCCESS("ledger verify: every invariant holds"))
