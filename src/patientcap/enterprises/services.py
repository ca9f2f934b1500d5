"""Changing the enterprise registry: every write checks the user's scope, validates the whole
input (refusing it with every problem named), runs in one transaction and records what changed
in the audit trail (before/after of the changed fields only).

Bulk paths live elsewhere: the Excel import in `importing.py`, demo data in `demo.py`.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from patientcap.accounts import scoping
from patientcap.accounts.models import Organisation, OrganisationType, Role, User
from patientcap.audit import services as audit
from patientcap.enterprises import validation
from patientcap.enterprises.models import (
    YEARLY,
    Certification,
    Enterprise,
    EnterpriseAccessGrant,
    ServiceAssignment,
)
from patientcap.enterprises.scopes import acts_for_zone

GRANTEE_TYPES = {OrganisationType.BANK, OrganisationType.GUARANTOR}


def _today() -> dt.date:
    return timezone.localdate()


def snapshot(obj: models.Model, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """The fields whose value differs, as (before, after) dicts."""
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def _writable_enterprise(actor: Any, enterprise_id: int) -> Enterprise:
    """The enterprise locked for this transaction, if `actor` may change it (404 / 403 else)."""
    scoping.get_writable(actor, Enterprise, pk=enterprise_id)
    return Enterprise.objects.select_for_update().get(pk=enterprise_id)


def _uscc_taken(code: str, *, other_than: int | None = None) -> bool:
    others = Enterprise.objects.filter(uscc=code)
    if other_than is not None:
        others = others.exclude(pk=other_than)
    return others.exists()


def _duplicate_uscc_error(code: str) -> ValidationError:
    return ValidationError(
        {
            "uscc": gettext(
                "An enterprise with the unified social credit code %(uscc)s is already registered."
            )
            % {"uscc": code}
        }
    )


@transaction.atomic
def create_enterprise(
    *, actor: Any, data: Mapping[str, Any], as_of: dt.date | None = None
) -> Enterprise:
    """Register a new enterprise (zone officer). `data` holds the profile fields."""
    if not acts_for_zone(actor):
        raise PermissionDenied(gettext("Only the zone officer registers enterprises."))
    values, errors = validation.clean_profile(data, as_of=as_of or _today())
    validation.raise_if(errors)
    if _uscc_taken(values["uscc"]):
        raise _duplicate_uscc_error(values["uscc"])
    enterprise = Enterprise(**values)
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError:  # a concurrent registration of the same code won the race
        raise _duplicate_uscc_error(values["uscc"]) from None
    audit.record(
        actor=actor,
        action="enterprise.create",
        object_type="enterprise",
        object_id=enterprise.pk,
        after=snapshot(enterprise, validation.PROFILE_FIELDS),
    )
    return enterprise


@transaction.atomic
def update_enterprise(
    *, actor: Any, enterprise_id: int, changes: Mapping[str, Any], as_of: dt.date | None = None
) -> Enterprise:
    """Change some profile fields; only the fields given are checked and stored."""
    enterprise = _writable_enterprise(actor, enterprise_id)
    current = snapshot(enterprise, validation.PROFILE_FIELDS)
    values, errors = validation.clean_profile(changes, as_of=as_of or _today(), current=current)
    validation.raise_if(errors)
    if "uscc" in values and _uscc_taken(values["uscc"], other_than=enterprise.pk):
        raise _duplicate_uscc_error(values["uscc"])
    before, after = diff(current, values)
    if after:
        for name, value in after.items():
            setattr(enterprise, name, value)
        enterprise.save(update_fields=[*after, "updated_at"])
        audit.record(
            actor=actor,
            action="enterprise.update",
            object_type="enterprise",
            object_id=enterprise.pk,
            before=before,
            after=after,
        )
    return enterprise


@transaction.atomic
def link_organisation(*, actor: Any, enterprise_id: int, organisation_id: int | None) -> Enterprise:
    """Make `organisation` (of type enterprise) the firm's own login organisation, or unlink."""
    if not acts_for_zone(actor):
        raise PermissionDenied(gettext("Only the zone officer links login organisations."))
    enterprise = _writable_enterprise(actor, enterprise_id)
    if organisation_id is not None:
        org = Organisation.objects.filter(pk=organisation_id).first()
        if org is None or org.type != OrganisationType.ENTERPRISE:
            raise ValidationError(
                {
                    "organisation": gettext(
                        "Only an organisation of type enterprise can be an enterprise's login."
                    )
                }
            )
        if (
            Enterprise.objects.filter(organisation_id=organisation_id)
            .exclude(pk=enterprise.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "organisation": gettext(
                        "This organisation is already the login of another enterprise."
                    )
                }
            )
    before = {"organisation_id": enterprise.organisation_id}
    enterprise.organisation_id = organisation_id
    enterprise.save(update_fields=["organisation", "updated_at"])
    audit.record(
        actor=actor,
        action="enterprise.link_organisation",
        object_type="enterprise",
        object_id=enterprise.pk,
        before=before,
        after={"organisation_id": organisation_id},
    )
    return enterprise


@transaction.atomic
def save_certification(
    *,
    actor: Any,
    enterprise_id: int,
    kind: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    certificate_number: str = "",
    certification_id: int | None = None,
) -> Certification:
    """Add a certification, or change one (`certification_id`) of the same enterprise."""
    enterprise = _writable_enterprise(actor, enterprise_id)
    errors = validation.clean_certification(kind=kind, valid_from=valid_from, valid_to=valid_to)
    if len(certificate_number.strip()) > 60:
        errors.setdefault("certificate_number", []).append(
            gettext("Longer than %(max)d characters.") % {"max": 60}
        )
    validation.raise_if(errors)
    assert valid_from is not None and valid_to is not None  # checked just above
    fields = ("kind", "certificate_number", "valid_from", "valid_to")
    values = {
        "kind": kind,
        "certificate_number": certificate_number.strip(),
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    if certification_id is None:
        cert = Certification(enterprise=enterprise)
        before: dict[str, Any] = {}
    else:
        cert = Certification.objects.select_for_update().get(
            pk=certification_id, enterprise=enterprise
        )
        before = snapshot(cert, fields)
    clash = Certification.objects.filter(
        enterprise=enterprise, kind=kind, valid_from=valid_from
    ).exclude(pk=cert.pk)
    if clash.exists():
        raise ValidationError(
            {
                "valid_from": gettext(
                    "This enterprise already has this certification starting on that day."
                )
            }
        )
    before, after = diff(before, values)
    for name, value in values.items():
        setattr(cert, name, value)
    cert.save()
    audit.record(
        actor=actor,
        action="certification.save",
        object_type="certification",
        object_id=cert.pk,
        before=before or None,
        after={"enterprise_id": enterprise.pk, **after},
    )
    return cert


@transaction.atomic
def delete_certification(*, actor: Any, certification_id: int) -> None:
    cert = scoping.get_writable(actor, Certification, pk=certification_id)
    before = {
        "enterprise_id": cert.enterprise_id,
        **snapshot(cert, ("kind", "certificate_number", "valid_from", "valid_to")),
    }
    cert.delete()
    audit.record(
        actor=actor,
        action="certification.delete",
        object_type="certification",
        object_id=certification_id,
        before=before,
    )


_YEARLY_RULES = {
    "financial": (validation.FINANCIAL_FIELDS, validation.clean_financial),
    "headcount": (validation.HEADCOUNT_FIELDS, validation.clean_headcount),
    "ip": (validation.IP_FIELDS, validation.clean_ip),
    "team": (validation.TEAM_FIELDS, validation.clean_team),
}


@transaction.atomic
def save_yearly(
    *,
    actor: Any,
    enterprise_id: int,
    kind: str,
    year: int,
    values: Mapping[str, Any],
    as_of: dt.date | None = None,
) -> models.Model:
    """Store one year's figures of one kind ("financial", "headcount", "ip" or "team"). The
    row is replaced as a whole: a field not given is "not reported" (null)."""
    model = YEARLY[kind]
    fields, clean = _YEARLY_RULES[kind]
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"not {kind} fields: {sorted(unknown)}")
    enterprise = _writable_enterprise(actor, enterprise_id)
    full = {f: values.get(f) for f in fields}
    errors = validation.clean_year(year, as_of=as_of or _today())
    errors.update(clean(full))
    validation.raise_if(errors)
    row = (
        model._default_manager.select_for_update().filter(enterprise=enterprise, year=year).first()
    )
    before_all = snapshot(row, fields) if row else {}
    if row is None:
        row = model(enterprise=enterprise, year=year)
    for name, value in full.items():
        setattr(row, name, value)
    row.save()
    before, after = diff(before_all, full)
    if after or not before_all:
        audit.record(
            actor=actor,
            action=f"enterprise.{kind}.save",
            object_type="enterprise",
            object_id=enterprise.pk,
            before={"year": year, **before} if before_all else None,
            after={"year": year, **after},
        )
    return row


@transaction.atomic
def save_year_figures(
    *,
    actor: Any,
    enterprise_id: int,
    year: int,
    figures: Mapping[str, Mapping[str, Any] | None],
    as_of: dt.date | None = None,
) -> None:
    """Store several kinds of one year's figures together (all or none). A kind given as None,
    or with no value at all, removes that year's row of that kind."""
    errors: validation.Errors = {}
    for kind, values in figures.items():
        if values and any(v is not None for v in values.values()):
            try:
                save_yearly(
                    actor=actor,
                    enterprise_id=enterprise_id,
                    kind=kind,
                    year=year,
                    values=values,
                    as_of=as_of,
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    known = errors.setdefault(name, [])
                    known.extend(m for m in messages if m not in known)
        else:
            delete_yearly(actor=actor, enterprise_id=enterprise_id, kind=kind, year=year)
    validation.raise_if(errors)  # leaving the transaction by an exception undoes it all


@transaction.atomic
def delete_yearly(*, actor: Any, enterprise_id: int, kind: str, year: int) -> None:
    model, (fields, _) = YEARLY[kind], _YEARLY_RULES[kind]
    enterprise = _writable_enterprise(actor, enterprise_id)
    row = model._default_manager.filter(enterprise=enterprise, year=year).first()
    if row is None:
        return
    before = {"year": year, **snapshot(row, fields)}
    row.delete()
    audit.record(
        actor=actor,
        action=f"enterprise.{kind}.delete",
        object_type="enterprise",
        object_id=enterprise.pk,
        before=before,
    )


@transaction.atomic
def grant_access(
    *, actor: Any, enterprise_id: int, organisation_id: int, purpose: str
) -> EnterpriseAccessGrant:
    """The enterprise (or the zone officer for it) lets a bank or guarantor read its data."""
    enterprise = _writable_enterprise(actor, enterprise_id)
    org = Organisation.objects.filter(pk=organisation_id).first()
    errors: validation.Errors = {}
    if org is None or org.type not in GRANTEE_TYPES:
        errors["organisation"] = [gettext("Access can be granted to a bank or a guarantor.")]
    purpose = purpose.strip()
    if not purpose:
        errors["purpose"] = [gettext("Say why the organisation needs the data.")]
    elif len(purpose) > 200:
        errors["purpose"] = [gettext("Longer than %(max)d characters.") % {"max": 200}]
    validation.raise_if(errors)
    assert org is not None
    if EnterpriseAccessGrant.objects.filter(
        enterprise=enterprise, organisation=org, revoked_at__isnull=True
    ).exists():
        raise ValidationError(
            {
                "organisation": gettext("%(org)s already has access to this enterprise.")
                % {"org": org}
            }
        )
    grant = EnterpriseAccessGrant.objects.create(
        enterprise=enterprise,
        organisation=org,
        purpose=purpose,
        granted_by=actor,
        granted_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="enterprise.grant_access",
        object_type="enterprise",
        object_id=enterprise.pk,
        after={"grant_id": grant.pk, "organisation_id": org.pk, "purpose": purpose},
    )
    return grant


@transaction.atomic
def revoke_access(*, actor: Any, grant_id: int) -> EnterpriseAccessGrant:
    """End a grant now; the organisation stops seeing the enterprise at once."""
    scoping.get_writable(actor, EnterpriseAccessGrant, pk=grant_id)
    grant = EnterpriseAccessGrant.objects.select_for_update().get(pk=grant_id)
    if grant.revoked_at is not None:
        raise ValidationError(gettext("This access was already revoked."))
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=actor,
        action="enterprise.revoke_access",
        object_type="enterprise",
        object_id=grant.enterprise_id,
        before={"grant_id": grant.pk},
        after={"grant_id": grant.pk, "revoked_at": grant.revoked_at},
    )
    return grant


@transaction.atomic
def assign_agent(
    *, actor: Any, enterprise_id: int, agent_id: int, since: dt.date, until: dt.date | None = None
) -> ServiceAssignment:
    """Assign a service agent to an enterprise for [since, until) (zone officer)."""
    if not acts_for_zone(actor):
        raise PermissionDenied(gettext("Only the zone officer assigns service agents."))
    enterprise = scoping.get_readable(actor, Enterprise, pk=enterprise_id)
    agent = User.objects.filter(pk=agent_id, is_active=True).first()
    errors: validation.Errors = {}
    if agent is None or agent.role != Role.SERVICE_AGENT:
        errors["agent"] = [gettext("Choose an active service agent.")]
    if until is not None and until <= since:
        errors["until"] = [gettext("The end must be after the start.")]
    validation.raise_if(errors)
    assert agent is not None  # checked just above
    assignment = ServiceAssignment.objects.create(
        agent=agent, enterprise=enterprise, assigned_by=actor, since=since, until=until
    )
    audit.record(
        actor=actor,
        action="enterprise.assign_agent",
        object_type="enterprise",
        object_id=enterprise.pk,
        after={
            "assignment_id": assignment.pk,
            "agent_id": agent_id,
            "since": since,
            "until": until,
        },
    )
    return assignment


@transaction.atomic
def end_assignment(*, actor: Any, assignment_id: int, until: dt.date) -> ServiceAssignment:
    """End an assignment: the agent no longer sees the enterprise from `until` on."""
    scoping.get_writable(actor, ServiceAssignment, pk=assignment_id)
    assignment = ServiceAssignment.objects.select_for_update().get(pk=assignment_id)
    if until <= assignment.since:
        raise ValidationError({"until": gettext("The end must be after the start.")})
    before = {"until": assignment.until}
    assignment.until = until
    assignment.save(update_fields=["until"])
    audit.record(
        actor=actor,
        action="enterprise.end_assignment",
        object_type="enterprise",
        object_id=assignment.enterprise_id,
        before={"assignment_id": assignment.pk, **before},
        after={"assignment_id": assignment.pk, "until": until},
    )
    return assignment
