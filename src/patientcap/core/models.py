"""Background jobs as their users see them: what was asked, by whom, how far it has got, and
how it ended. django-tasks keeps its own queue table (what to run, for the worker); a `Job`
is the part a person follows on a page or an API client polls, and it is scoped like any
other organisation data (`core/scopes.py`)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Done")
    FAILED = "failed", _("Failed")


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=60)  # "<app>.<name>", e.g. enterprises.import
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs"
    )
    # The owner's organisation when the job was started: zone colleagues follow it by this.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="jobs",
        null=True,
        blank=True,
    )
    # The language of the request that started the job: its messages are written in it.
    language = models.CharField(max_length=15)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)  # None: not known yet
    message = models.CharField(max_length=500, blank=True)
    # The uploaded file (a few MB at most) travels in the database, so that a worker on any
    # machine reads it and a database backup holds everything; it is dropped when the job ends.
    input = models.BinaryField(null=True, blank=True, editable=False)
    input_name = models.CharField(max_length=255, blank=True)
    result = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    task_id = models.CharField(max_length=64, blank=True)  # the django-tasks result id
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["organisation", "-created_at"]),
        ]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)

    @property
    def result_template(self) -> str:
        """Each kind shows its result with its app's template `<app>/job_<name>.html`."""
        app, _dot, name = self.kind.partition(".")
        return f"{app}/job_{name}.html"
