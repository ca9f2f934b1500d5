"""Who may read and change valuations (registered with `accounts.scoping`).

Readers follow the enterprise (`enterprises.scopes.enterprise_read`): zone staff and auditors
read all, an enterprise user its own firm, a bank or guarantor officer the firms that granted
their organisation access. Only the zone officer creates valuations (a revision is a new row;
no row is ever changed), so the write rule is the zone officer's alone.
"""

from typing import Any

from django.db.models import Q

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.accounts.scoping import ALL, NOTHING
from patientcap.enterprises.models import Enterprise
from patientcap.enterprises.scopes import enterprise_read
from patientcap.valuations.models import MethodResult, Valuation, WrittenApproval


def _read(prefix: str) -> Any:
    def rule(user: Any) -> Q:
        q = enterprise_read(user)
        if q in (ALL, NOTHING):
            return q
        return Q(**{f"{prefix}__in": Enterprise.objects.filter(q).values("pk")})

    return rule


def zone_write(user: Any) -> Q:
    return ALL if user.role == Role.ZONE_OFFICER else NOTHING


def register() -> None:
    scoping.register(Valuation, read=_read("enterprise"), write=zone_write)
    scoping.register(MethodResult, read=_read("valuation__enterprise"), write=zone_write)
    scoping.register(WrittenApproval, read=_read("valuation__enterprise"), write=zone_write)
