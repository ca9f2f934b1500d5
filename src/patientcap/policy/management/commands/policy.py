"""`patientcap policy check [DIR]`: validate the policy files (default settings.POLICY_DIR).

Exits non-zero with the loader's message (file, parameter key, line) on the first fault.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from patientcap.domain.policy import PolicyError
from patientcap.policy.loader import load_directory


class Command(BaseCommand):
    help = "Policy parameter files: `check [DIR]` validates every *.yaml file of DIR."
    requires_system_checks: list[str] = []  # reads files only; usable before migrations

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"])
        parser.add_argument("directory", nargs="?", type=Path, help="default: settings.POLICY_DIR")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["directory"] or Path(settings.POLICY_DIR)
        try:
            policy = load_directory(directory)
        except PolicyError as exc:
            raise CommandError(str(exc)) from None
        files = len({p.source for p in policy})
        self.stdout.write(
            f"{directory}: {len(policy)} parameters in {files} files are valid "
            f"(digest {policy.digest[:12]})"
        )
