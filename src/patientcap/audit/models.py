"""Audit entries and the heads of the chain's lanes (`domain.audit_chain`). Entries are never
updated or deleted, and a head only moves forward: database triggers refuse anything else
(`guards.py`).

`before` and `after` are stored as canonical JSON text, so what is hashed is exactly what is
stored, on SQLite and PostgreSQL alike (a jsonb column would re-order and re-format it).
"""

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def at_text(at: dt.datetime) -> str:
    """The timestamp as hashed: UTC, microseconds, ISO 8601."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


class AuditEntry(models.Model):
    # The number across all lanes, in the order entries were appended (a rolled-back append may
    # leave a gap: the lanes' positions, not these numbers, are what verification counts).
    seq = models.BigAutoField(_("number"), primary_key=True)
    lane = models.PositiveSmallIntegerField(_("lane"))
    position = models.BigIntegerField(_("position in lane"))
    at = models.DateTimeField(_("at"))
    # No database constraint: checking it would share-lock the user's row in every audited
    # transaction (writers acting for one user would queue on it). The ORM protects users from
    # deletion, and `actor_name` keeps who it was whatever happens to the user. No index either:
    # the trail is searched by actor name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
        db_constraint=False,
        db_index=False,
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=100, blank=True)
    before_json = models.TextField(_("before"), blank=True)
    after_json = models.TextField(_("after"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(fields=["lane", "position"], name="audit_entry_lane_position")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    @property
    def before(self) -> Any:
        return json.loads(self.before_json) if self.before_json else None

    @property
    def after(self) -> Any:
        return json.loads(self.after_json) if self.after_json else None

    def content(self) -> dict:
        """What the hash covers, besides the number and the previous hash."""
        return content(
            at=self.at,
            actor_id=self.actor_id,
            actor_name=self.actor_name,
            organisation_id=self.organisation_id,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            before_json=self.before_json,
            after_json=self.after_json,
        )


def content(
    *,
    at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    organisation_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    before_json: str,
    after_json: str,
) -> dict:
    return {
        "at": at_text(at),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "organisation_id": organisation_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before_json,
        "after": after_json,
    }


class AuditChainHead(models.Model):
    """One row per lane: the lane's newest position and hash. Locking it serialises the lane;
    a deleted tail shows as a head beyond the lane's newest stored entry."""

    id = models.PositiveSmallIntegerField(primary_key=True)  # the lane
    last_position = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"lane {self.id} at {self.last_position}"
