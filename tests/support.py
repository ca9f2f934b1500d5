"""Helpers for tests: make organisations and users, and tell which database is in use."""

from django.db import connection

from patientcap.accounts.models import Organisation, User

PASSWORD = "correct-horse-battery-staple"


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def make_org(type_: str, name: str) -> Organisation:
    return Organisation.objects.create(type=type_, name=name)


def make_user(username: str, role: str, org: Organisation | None, **extra) -> User:
    user = User(username=username, role=role, organisation=org, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user
