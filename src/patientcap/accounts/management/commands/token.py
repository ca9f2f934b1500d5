"""`patientcap token create|list|revoke`: API tokens for machine clients, from the console."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from patientcap.accounts import services
from patientcap.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Create, list or revoke API tokens. A new token is printed once and never again."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        create = sub.add_parser("create", help="create a token for USERNAME")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="the system that will use it")
        create.add_argument("--days", type=int, default=90, help="validity (1 to 365 days)")
        listing = sub.add_parser("list", help="list the tokens of USERNAME")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke the token with this PREFIX")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['command']}")(options)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

    def _create(self, options: dict) -> None:
        user = self._user(options["username"])
        # The operator at the console is the actor; the audit trail records "system".
        row, token = services.create_api_token(
            user=user, name=options["name"], days=options["days"], by=None
        )
        self.stderr.write(
            f"Token {row.prefix} for {user.username}, valid until {row.expires_at:%Y-%m-%d}. "
            "It is shown only this once:"
        )
        self.stdout.write(token)

    def _list(self, options: dict) -> None:
        user = self._user(options["username"])
        for row in ApiToken.objects.filter(user=user):
            used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
            self.stdout.write(
                f"{row.prefix}  {row.status:8}  expires {row.expires_at:%Y-%m-%d}  "
                f"last used {used}  {row.name}"
            )

    def _revoke(self, options: dict) -> None:
        row = ApiToken.objects.filter(prefix=options["prefix"]).first()
        if row is None:
            raise CommandError(f"No token with prefix {options['prefix']!r}.")
        services.revoke_api_token(token=row, by=None)
        self.stdout.write(f"Token {row.prefix} ({row.name}) revoked.")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        return user
