"""The audit trail in lanes (domain.audit_chain): the first draft's tables are replaced (their
entries used another hash and could not be verified), and the tables become append-only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from patientcap.audit import pg
from patientcap.audit.append_only import install_guards, remove_guards
from patientcap.audit.guards import AUDIT_GUARDS


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.DeleteModel(name="AuditEntry"),
        migrations.DeleteModel(name="AuditChainHead"),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("last_position", models.BigIntegerField(default=0)),
                ("last_hash", models.CharField(max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "seq",
                    models.BigAutoField(primary_key=True, serialize=False, verbose_name="number"),
                ),
                ("lane", models.PositiveSmallIntegerField(verbose_name="lane")),
                ("position", models.BigIntegerField(verbose_name="position in lane")),
                ("at", models.DateTimeField(verbose_name="at")),
                (
                    "actor_name",
                    models.CharField(blank=True, max_length=150, verbose_name="actor name"),
                ),
                (
                    "organisation_id",
                    models.BigIntegerField(blank=True, null=True, verbose_name="organisation"),
                ),
                ("action", models.CharField(max_length=100, verbose_name="action")),
                ("object_type", models.CharField(max_length=100, verbose_name="object type")),
                (
                    "object_id",
                    models.CharField(blank=True, max_length=100, verbose_name="object id"),
                ),
                ("before_json", models.TextField(blank=True, verbose_name="before")),
                ("after_json", models.TextField(blank=True, verbose_name="after")),
                ("prev_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
                "ordering": ["-seq"],
                "indexes": [
                    models.Index(
                        fields=["object_type", "object_id"], name="audit_audit_object__3eefc4_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("lane", "position"), name="audit_entry_lane_position"
                    )
                ],
            },
        ),
        migrations.RunPython(install_guards(AUDIT_GUARDS), remove_guards(AUDIT_GUARDS)),
        migrations.RunPython(pg.install, pg.remove),
    ]
