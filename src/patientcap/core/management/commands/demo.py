"""`patientcap demo [--if-empty] [--enterprises N] [--seed S]`: build the fictional demo zone."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from patientcap.core import demo
from patientcap.core.clock import today


class Command(BaseCommand):
    help = "Build the fictional demo zone (organisations, one user per role, enterprises, pools)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already holds organisations",
        )
        parser.add_argument("--enterprises", type=int, default=400)
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args, **opts) -> None:
        if demo.is_built():
            if opts["if_empty"]:
                self.stdout.write("The demo zone is already there; nothing to do.")
                return
            raise CommandError(
                "The database already holds organisations; the demo needs an "
                "empty database (or use --if-empty)."
            )
        if opts["enterprises"] < 1:
            raise CommandError("--enterprises must be at least 1")
        built = demo.build(enterprises=opts["enterprises"], seed=opts["seed"], as_of=today())
        self.stdout.write(
            self.style.SUCCESS(
                "Demo zone built: {organisations} organisations, {users} users, "
                "{enterprises} enterprises. Every demo password is '{pw}'.".format(
                    **built, pw=demo.DEMO_PASSWORD
                )
            )
        )
