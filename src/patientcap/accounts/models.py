"""Organisations of the zone's finance network and the people who act for them.

Every user belongs to exactly one organisation and holds one role (mission.md §2). What a user
may see and change follows from that pair alone; see `scoping.py`.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    ZONE = "zone", _("Zone / fund manager")
    BANK = "bank", _("Bank")
    GUARANTOR = "guarantor", _("Guarantor")
    SERVICE = "service", _("Service organisation")
    UNIVERSITY = "university", _("University")
    ENTERPRISE = "enterprise", _("Enterprise")
    AUDIT = "audit", _("Audit")


class Role(models.TextChoices):
    ZONE_OFFICER = "zone_officer", _("Zone fund officer")
    REVIEWER = "reviewer", _("Reviewer / approver")
    BANK_OFFICER = "bank_officer", _("Bank credit officer")
    GUARANTOR_OFFICER = "guarantor_officer", _("Guarantor officer")
    SERVICE_AGENT = "service_agent", _("Service agent")
    ENTERPRISE_USER = "enterprise_user", _("Enterprise user")
    AUDITOR = "auditor", _("Auditor")


# Which roles an organisation type may hold: a bank officer must work for a bank, and so on.
ROLES_BY_ORGANISATION_TYPE: dict[str, set[str]] = {
    OrganisationType.ZONE: {Role.ZONE_OFFICER, Role.REVIEWER},
    OrganisationType.BANK: {Role.BANK_OFFICER},
    OrganisationType.GUARANTOR: {Role.GUARANTOR_OFFICER},
    OrganisationType.SERVICE: {Role.SERVICE_AGENT},
    OrganisationType.UNIVERSITY: {Role.SERVICE_AGENT},
    OrganisationType.ENTERPRISE: {Role.ENTERPRISE_USER},
    OrganisationType.AUDIT: {Role.AUDITOR},
}


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=OrganisationType.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["type", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,  # only the platform's technical superuser has none
        blank=True,
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.organisation_id and self.role:
            allowed = ROLES_BY_ORGANISATION_TYPE[self.organisation.type]
            if self.role not in allowed:
                raise ValidationError(
                    {"role": _("A %(org)s organisation cannot hold this role.")
                     % {"org": self.organisation.get_type_display()}}
                )

    @property
    def is_zone_staff(self) -> bool:
        return self.role in {Role.ZONE_OFFICER, Role.REVIEWER}

    @property
    def is_read_only(self) -> bool:
        return self.role == Role.AUDITOR
