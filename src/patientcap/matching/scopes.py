"""Who may read and change matching rows (registered with `accounts.scoping`).

- Zone staff (officers, reviewers) and auditors read every file; zone officers act on them
  (complete due diligence, upload documents, apply for a firm).
- A bank officer reads and acts on the files addressed to their bank, never another bank's.
- An enterprise user reads and acts on (applies, uploads to) their own firm's files.
- Everyone else (guarantors, service agents) sees nothing here.
The package, documents, pauses and history follow their application.
"""

from typing import Any

from django.db.models import Q

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.matching.models import Application, DiligencePackage, Document, Pause, Transition

READ_ALL = {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}


def application_read(user: Any) -> Q:
    if user.role in READ_ALL:
        return scoping.ALL
    if user.role == Role.BANK_OFFICER:
        return Q(bank_id=user.organisation_id)
    if user.role == Role.ENTERPRISE_USER:
        return Q(enterprise__organisation_id=user.organisation_id)
    return scoping.NOTHING


def application_write(user: Any) -> Q:
    if user.role == Role.ZONE_OFFICER:
        return scoping.ALL
    if user.role == Role.BANK_OFFICER:
        return Q(bank_id=user.organisation_id)
    if user.role == Role.ENTERPRISE_USER:
        return Q(enterprise__organisation_id=user.organisation_id)
    return scoping.NOTHING


def _through_application(rule: Any) -> Any:
    def scoped(user: Any) -> Q:
        q = rule(user)
        if q in (scoping.ALL, scoping.NOTHING):
            return q
        return Q(application__in=Application.objects.filter(q).values("pk"))

    return scoped


scoping.register(Application, read=application_read, write=application_write)
for model in (DiligencePackage, Document, Pause, Transition):
    scoping.register(
        model,
        read=_through_application(application_read),
        write=_through_application(application_write),
    )
