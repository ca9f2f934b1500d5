"""`patientcap audit verify`: walk the audit trail's hash chains and report every edited or
deleted entry (and a deleted tail); exits non-zero if there is any."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from patientcap.audit.models import AuditEntry
from patientcap.audit.services import verify


class Command(BaseCommand):
    help = "Audit trail operations: verify (walk the hash chains and report every break)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify"])

    def handle(self, *args: Any, operation: str, **options: Any) -> None:
        breaches = verify()
        for breach in breaches:
            self.stdout.write(f"BREACH {breach}")
        if breaches:
            raise CommandError(f"audit verify: {len(breaches)} breach(es) found")
        count = AuditEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"audit verify: {count} entries, every chain holds"))
