"""Proposals are visible to the staff of the proposer's organisation and to auditors (read-only:
`scoping.writable` gives auditors nothing). Whether someone may *decide* one is a further rule of
the action (rules.py)."""

from django.db.models import Q

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.approvals.models import Proposal

scoping.register(
    Proposal,
    read=lambda u: scoping.ALL if u.role == Role.AUDITOR else Q(organisation_id=u.organisation_id),
    write=lambda u: Q(organisation_id=u.organisation_id),
)
