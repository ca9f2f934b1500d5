"""Scope rules for the ledger: zone staff and auditors read all of both books; zone officers may
act on entries (through the services, e.g. a reversal under maker-checker); everyone else sees
nothing, for now (later programmes may show an enterprise its own movements)."""

from typing import Any

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.ledger.models import Account, Balance, Entry, Posting


def reads_ledger(user: Any) -> bool:
    return user.role in {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}


for model in (Account, Balance, Entry, Posting):
    scoping.register(
        model,
        read=lambda u: scoping.ALL if reads_ledger(u) else scoping.NOTHING,
        write=lambda u: scoping.ALL if u.role == Role.ZONE_OFFICER else scoping.NOTHING,
    )
