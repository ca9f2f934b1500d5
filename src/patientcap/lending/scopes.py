"""Who may read and change tiered-loan rows (registered with `accounts.scoping`).

- Zone staff and auditors read every application, loan and claim; zone officers act on them
  (approval and claim review go through maker-checker).
- A bank officer reads and works on its bank's applications and loans only; a guarantor officer
  only those its organisation guarantees.
- An enterprise user reads its own firm's applications and loans (not the claims: how the loss is
  shared between pool, guarantor and bank is the parties' business).
- Everyone else sees nothing.
Due diligence, disbursements, schedules, repayments and events follow their application or loan;
claim shares and recoveries follow their claim.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import Q

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.accounts.scoping import ALL, NOTHING
from patientcap.lending.models import (
    Application,
    Claim,
    ClaimShare,
    Disbursement,
    DueDiligence,
    Instalment,
    Loan,
    LoanEvent,
    Recovery,
    Repayment,
)

READ_ALL = {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}


def _file_read(prefix: str = "", *, enterprises: bool = True) -> Callable[[Any], Q]:
    """Reading an application or loan (at `prefix`, e.g. "loan__") by organisation."""

    def rule(user: Any) -> Q:
        if user.role in READ_ALL:
            return ALL
        if user.role == Role.BANK_OFFICER:
            return Q(**{f"{prefix}bank_id": user.organisation_id})
        if user.role == Role.GUARANTOR_OFFICER:
            return Q(**{f"{prefix}guarantor_id": user.organisation_id})
        if enterprises and user.role == Role.ENTERPRISE_USER:
            return Q(**{f"{prefix}enterprise__organisation_id": user.organisation_id})
        return NOTHING

    return rule


def _file_write(prefix: str = "") -> Callable[[Any], Q]:
    """Changing one: zone officers, and the bank and guarantor whose file it is (each service
    checks which side may do what)."""

    def rule(user: Any) -> Q:
        if user.role == Role.ZONE_OFFICER:
            return ALL
        if user.role == Role.BANK_OFFICER:
            return Q(**{f"{prefix}bank_id": user.organisation_id})
        if user.role == Role.GUARANTOR_OFFICER:
            return Q(**{f"{prefix}guarantor_id": user.organisation_id})
        return NOTHING

    return rule


def may_review(user: Any) -> bool:
    """Zone officers review applications and claims (proposing the decision)."""
    return bool(user.is_authenticated and user.role == Role.ZONE_OFFICER)


scoping.register(Application, read=_file_read(), write=_file_write())
scoping.register(DueDiligence, read=_file_read("application__"), write=_file_write("application__"))
scoping.register(Loan, read=_file_read(), write=_file_write())
for _model in (Disbursement, Instalment, Repayment, LoanEvent):
    scoping.register(_model, read=_file_read("loan__"), write=_file_write("loan__"))
scoping.register(Claim, read=_file_read("loan__", enterprises=False), write=_file_write("loan__"))
for _claimed in (ClaimShare, Recovery):
    scoping.register(
        _claimed,
        read=_file_read("claim__loan__", enterprises=False),
        write=_file_write("claim__loan__"),
    )
