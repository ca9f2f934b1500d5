"""Test-only approval actions. They create or rename organisations, so their effects are easy to
see (and to see rolled back) without depending on any other app. Imported by the approval tests;
registering happens once per test run because the module is imported once.

- tests.create_organisation: zone officers propose, reviewers approve (a zone action).
- tests.rename_organisation: bank officers propose and approve within their own bank.
"""

from django.core.exceptions import ValidationError
from django.db import connection

from patientcap import approvals
from patientcap.accounts import scoping
from patientcap.accounts.models import Organisation, OrganisationType, Role
from patientcap.audit.services import record
from patientcap.domain.messages import Invalid

EXECUTED: list[int] = []  # proposal ids, in the order their action ran


def _validate_create(payload: dict, user: object) -> dict:
    name = str(payload.get("name", "")).strip()
    if not name:
        raise ValidationError({"name": "A name is required."})
    if Organisation.objects.filter(name=name).exists():
        raise ValidationError({"name": f"An organisation named {name} already exists."})
    return {
        "name": name,
        "grant_fen": int(payload.get("grant_fen", 0)),
        "fail": bool(payload.get("fail", False)),
        "refuse": bool(payload.get("refuse", False)),
    }


@approvals.action(
    "tests.create_organisation",
    label="Create a service organisation (test)",
    maker_roles={Role.ZONE_OFFICER},
    checker_roles={Role.REVIEWER},
    validate=_validate_create,
    target=lambda p: f"organisation:{p['name']}",
    summarise=lambda p: f"Create {p['name']}",
)
def create_organisation(payload: dict, proposal: object) -> dict:
    assert connection.in_atomic_block
    EXECUTED.append(proposal.pk)  # type: ignore[attr-defined]
    org = Organisation.objects.create(name=payload["name"], type=OrganisationType.SERVICE)
    record(
        actor=proposal.decided_by,
        action="organisation.create",  # type: ignore[attr-defined]
        object_type="organisation",
        object_id=org.pk,
        after={"name": org.name},
    )
    if payload["fail"]:
        raise RuntimeError("the test action failed after writing")
    if payload["refuse"]:  # as the ledger refuses, e.g. a balance that would go negative
        raise Invalid("The zone has room for %(n)d organisations only.", {"n": 10})
    return {"organisation_id": org.pk}


def _validate_rename(payload: dict, user: object) -> dict:
    # The target must be inside the maker's scope: acting on another bank is refused here,
    # before anything is written.
    org = scoping.readable(user, Organisation).filter(pk=payload.get("organisation_id")).first()
    if org is None:
        raise ValidationError({"organisation_id": "You can only rename your own organisation."})
    name = str(payload.get("name", "")).strip()
    if not name:
        raise ValidationError({"name": "A name is required."})
    return {"organisation_id": org.pk, "name": name}


@approvals.action(
    "tests.rename_organisation",
    label="Rename my organisation (test)",
    maker_roles={Role.BANK_OFFICER},
    checker_roles={Role.BANK_OFFICER},
    validate=_validate_rename,
    target=lambda p: f"organisation:{p['organisation_id']}",
)
def rename_organisation(payload: dict, proposal: object) -> dict:
    Organisation.objects.filter(pk=payload["organisation_id"]).update(name=payload["name"])
    return {"organisation_id": payload["organisation_id"]}
