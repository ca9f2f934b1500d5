"""`patientcap kpis [--json] [--as-of DATE]`: the zone's headline figures."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandParser

from patientcap.core.clock import today
from patientcap.core.kpis import collect


class Command(BaseCommand):
    help = "Print the zone's headline figures (counts, pool balance, programme results)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--as-of", type=dt.date.fromisoformat, help="business date (default today)"
        )

    def handle(self, *args, **opts) -> None:
        figures = collect(opts["as_of"] or today())
        if opts["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
            return
        for key, value in figures.items():
            if isinstance(value, dict):
                self.stdout.write(f"{key}:")
                for k, v in value.items():
                    self.stdout.write(f"  {k}: {v}")
            else:
                self.stdout.write(f"{key}: {value}")
