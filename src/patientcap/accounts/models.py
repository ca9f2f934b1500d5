"""Organisations of the zone's finance network and the people who act for them.

Every user belongs to exactly one organisation and holds one role (mission.md §2). What a user
may see and change follows from that pair alone; see `scoping.py`. A user's signed-in sessions
and API tokens (for machine clients) are kept here too.
"""

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
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
        super().clean()
        self.check_role_fits_organisation()

    def check_role_fits_organisation(self) -> None:
        """A bank officer works for a bank, an auditor for an audit office, and so on."""
        if self.organisation_id and self.role:
            assert self.organisation is not None
            allowed = ROLES_BY_ORGANISATION_TYPE[self.organisation.type]
            if self.role not in allowed:
                raise ValidationError(
                    {
                        "role": _("A %(org)s organisation cannot hold this role.")
                        % {"org": self.organisation.get_type_display()}
                    }
                )

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The role rule holds on every save path (admin, services, demo builder, shell), not
        # only where a form calls clean(); saves that touch neither field skip the lookup.
        fields = kwargs.get("update_fields")
        if fields is None or {"role", "organisation", "organisation_id"} & set(fields):
            self.check_role_fits_organisation()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        """Chinese names are written family name first, with no space (林晓岚)."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return super().get_full_name()

    @property
    def is_zone_staff(self) -> bool:
        return self.role in {Role.ZONE_OFFICER, Role.REVIEWER}

    @property
    def is_read_only(self) -> bool:
        return self.role == Role.AUDITOR


class UserSession(models.Model):
    """A signed-in session of a user, so that all of them can be ended at once (ASVS 7.4.2:
    deactivating an account ends its sessions). Django's session table cannot be searched by
    user without decoding every row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.user_id}:{self.session_key[:8]}…"


class ApiToken(models.Model):
    """A bearer token with which a machine client (a bank's system) acts as one user.

    Only a SHA-256 digest of the token is stored: the token carries 256 random bits, so a slow
    password hash adds nothing, and the secret itself is shown once at creation and never kept.
    The public `prefix` finds the row; the digest is then compared in constant time.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def is_usable(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return str(_("revoked"))
        if timezone.now() >= self.expires_at:
            return str(_("expired"))
        return str(_("active"))
