"""Who may read and change equity rows (registered with `accounts.scoping`).

- Zone staff (zone officer, reviewer) and auditors read every cap table and the whole angel fund.
- An enterprise user reads its own enterprise's cap table (events, rounds, instruments,
  conversions, transfers, exit); banks and guarantors read the cap tables of the enterprises
  that granted their organisation access (consent, as for the registry:
  `enterprises.scopes.enterprise_read`). Service agents see no cap tables.
- The angel fund's holdings, investments and reviews are the fund's own books: zone staff and
  auditors only.
- Only fund staff change anything (`equity.services` checks the actor too): zone officers, and
  reviewers as checkers under maker-checker. Auditors change nothing (scoping refuses them).
"""

from typing import Any

from django.db.models import Model, Q

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.accounts.scoping import ALL, NOTHING
from patientcap.enterprises.models import Enterprise
from patientcap.enterprises.scopes import READ_ALL_ROLES, enterprise_read
from patientcap.equity.models import (
    AngelHolding,
    AngelInvestment,
    CapTableEvent,
    Conversion,
    Exit,
    HoldingReview,
    Instrument,
    Round,
    Snapshot,
    Transfer,
)

FUND_STAFF = {Role.ZONE_OFFICER, Role.REVIEWER}
CAP_TABLE_READERS = READ_ALL_ROLES | {
    Role.ENTERPRISE_USER,
    Role.BANK_OFFICER,
    Role.GUARANTOR_OFFICER,
}


def cap_table_enterprises(user: Any) -> Q:
    """The enterprises whose cap table `user` may read (a filter on Enterprise)."""
    if user.is_superuser:
        return ALL
    if user.role not in CAP_TABLE_READERS:
        return NOTHING
    return enterprise_read(user)


def _through_enterprise(user: Any) -> Q:
    q = cap_table_enterprises(user)
    if q in (ALL, NOTHING):
        return q
    return Q(enterprise__in=Enterprise.objects.filter(q).values("pk"))


def fund_write(user: Any) -> Q:
    return ALL if user.role in FUND_STAFF else NOTHING


def fund_read(user: Any) -> Q:
    return ALL if user.role in READ_ALL_ROLES else NOTHING


def reads_fund(user: Any) -> bool:
    """Whether `user` may see the angel fund's pages (zone staff, auditors, the superuser)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in READ_ALL_ROLES)
    )


def register() -> None:
    cap_table: tuple[type[Model], ...] = (
        CapTableEvent, Snapshot, Round, Instrument, Conversion, Transfer, Exit,
    )  # fmt: skip
    for model in cap_table:
        scoping.register(model, read=_through_enterprise, write=fund_write)
    fund: tuple[type[Model], ...] = (AngelHolding, AngelInvestment, HoldingReview)
    for model in fund:
        scoping.register(model, read=fund_read, write=fund_write)
