"""Asking as a role and judging the answer: signed-in browsers and API clients, the text of an
answer (HTML, JSON, an Excel workbook, flashed messages), and snapshots of every project table
that prove a refused request wrote nothing.

Requests that must change nothing run back to back in one savepoint that is rolled back, and
the tables are compared once at its end; only when something changed are they re-run one by one
to name the culprit. Requests that must change something each get their own savepoint.
"""

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.test import Client
from django.utils.module_loading import import_string
from openpyxl import load_workbook

from patientcap.accounts.models import UserSession
from patientcap.audit.models import AuditChainHead, AuditEntry
from patientcap.core.models import Job, JobStatus

# Rows that change on every request or sign-in and say nothing about who changed what.
NOT_SNAPSHOT: set[type[models.Model]] = {UserSession, AuditChainHead}
VOLATILE_FIELDS = {
    "accounts.user": {"last_login"},
    "accounts.apitoken": {"last_used_at"},
}
XLSX = "spreadsheetml"
# Background work a request starts (job kind -> its task) runs at once, inside the request's
# savepoint, so that what it finally does is judged with the request that asked for it.
JOB_TASKS = {
    "enterprises.import": "patientcap.enterprises.tasks.import_enterprises",
    "evaluation.batch": "patientcap.evaluation.tasks.score_registry_task",
}


class Browser:
    """A signed-in browser of one user (no CSRF enforcement: authorisation is what is tested)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.client = Client(HTTP_ACCEPT_LANGUAGE="en")
        self._login()

    def _login(self) -> None:
        self.client.force_login(self.user)
        self.key = self.client.cookies[settings.SESSION_COOKIE_NAME].value

    def settle(self) -> bool:
        """After a rolled-back request: drop flashed messages, and sign in again if the request
        replaced the session (a password change cycles the key; the rollback undid the new one).
        True when it signed in again (which appends to the audit trail)."""
        self.client.cookies.pop("messages", None)
        if self.client.cookies[settings.SESSION_COOKIE_NAME].value != self.key:
            self._login()
            return True
        return False


class ApiClient:
    """A machine client holding one user's bearer token."""

    def __init__(self, token: str) -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")

    def settle(self) -> bool:
        return False


def text(response: Any, client: Client | None = None) -> str:
    """What a person or program reads in the answer: the body (a workbook's cells) and the
    messages flashed for the next page."""
    content = (
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
        if getattr(response, "streaming", False)
        else response.content
    )
    if XLSX in response.get("Content-Type", "") and content:
        book = load_workbook(io.BytesIO(content), read_only=True)
        body = "\n".join(
            str(v)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
    else:
        body = content.decode("utf-8", "replace")
    morsel = client.cookies.get("messages") if client is not None else None
    if morsel is not None and morsel.value:
        flashed = CookieStorage(HttpRequest())._decode(morsel.value) or []  # type: ignore[attr-defined]
        body += "\n" + "\n".join(str(m) for m in flashed)
    return body


def project_models() -> list[type[models.Model]]:
    return [
        m
        for config in apps.get_app_configs()
        if config.name.startswith("patientcap.")
        for m in config.get_models()
        if m not in NOT_SNAPSHOT
    ]


Snapshot = dict[str, dict[Any, tuple]]


def _columns(model: type[models.Model]) -> list[str]:
    if model is AuditEntry:
        return []  # append-only: its numbers are enough to see an entry appended
    skip = VOLATILE_FIELDS.get(model._meta.label_lower, set())
    return [f.column for f in model._meta.concrete_fields if f.name not in skip]


def snapshot() -> Snapshot:
    """Every row of every project table, keyed by primary key (one plain query per table)."""
    state: Snapshot = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in project_models():
            columns = _columns(model)
            pk = model._meta.pk.column
            selected = ", ".join(map(quote, [pk, *columns]))
            cursor.execute(f"SELECT {selected} FROM {quote(model._meta.db_table)}")
            state[model._meta.label_lower] = {row[0]: row[1:] for row in cursor.fetchall()}
    return state


@dataclass(frozen=True)
class Change:
    label: str
    pk: Any
    values: dict  # the row after the change (before it, for a deleted row)
    verb: str

    def __str__(self) -> str:
        return f"{self.label}#{self.pk} {self.verb}"


def changes(before: Snapshot, after: Snapshot) -> list[Change]:
    out = []
    by_label = {m._meta.label_lower: m for m in project_models()}
    for label in sorted(set(before) | set(after)):
        old, new = before.get(label, {}), after.get(label, {})
        names = [
            f.attname
            for f in by_label[label]._meta.concrete_fields
            if f.column in _columns(by_label[label])
        ]
        for pk in sorted(set(old) | set(new), key=str):
            if old.get(pk) != new.get(pk):
                row = new[pk] if pk in new else old[pk]
                verb = "added" if pk not in old else "removed" if pk not in new else "changed"
                out.append(Change(label, pk, dict(zip(names, row, strict=True)), verb))
    return out


def label_of(model: type[models.Model]) -> str:
    return model._meta.label_lower


def run_started_jobs(known: set[Any]) -> list[str]:
    """Run the jobs started since `known` (their ids) as the worker would; returns problems."""
    problems = []
    for job in Job.objects.filter(status=JobStatus.QUEUED).exclude(pk__in=known):
        if job.kind not in JOB_TASKS:
            problems.append(f"started a {job.kind!r} job: add its task to probe.JOB_TASKS")
            continue
        import_string(JOB_TASKS[job.kind]).call(job.pk)
    return problems


@contextmanager
def undone() -> Iterator[None]:
    """Run requests in a savepoint that is rolled back, so the next ones start from the world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def changed_by_reading(
    sends: Sequence[tuple[str, Callable[[], Any]]], before: Snapshot
) -> list[str]:
    """After a walk of GETs: what they changed since `before`, and which of them changed it
    (reading must never write: ASVS 3.5.3)."""
    if not changes(before, snapshot()):
        return []
    found = []
    for where, send in sends:
        with undone():
            start = snapshot()
            send()
            diff = changes(start, snapshot())
        if diff:
            found.append(f"{where}: a GET changed {', '.join(map(str, diff))}")
    return found or ["the GETs together changed the database"]


@dataclass
class Attempt:
    """One request to judge. `allowed`: it must change the database, and every change must pass
    `within`; otherwise it must change nothing. `judge` looks at the answer (status, markers)."""

    where: str
    send: Callable[[], Any]
    allowed: bool
    judge: Callable[[Any, str], list[str]]
    within: Callable[[Change], bool] = lambda change: True
    harmless: Callable[[Change], bool] = lambda change: False  # allowed even when refused


def run(attempts: list[Attempt], asker: Browser | ApiClient) -> list[str]:
    """Every attempt, judged; returns the problems, each prefixed with where it happened."""
    problems: list[str] = []
    baseline = snapshot()

    def answered(attempt: Attempt) -> Any:
        try:
            with transaction.atomic():
                response = attempt.send()
                found = run_started_jobs(set(baseline[label_of(Job)]))
                problems.extend(f"{attempt.where}: {p}" for p in found)
                return response
        except Exception as exc:  # a crash is a finding too, whoever asks
            problems.append(f"{attempt.where}: raised {exc!r}")
            return None

    for attempt in (a for a in attempts if a.allowed):
        with undone():
            response = answered(attempt)
            after = snapshot()
        if response is not None:
            found = attempt.judge(response, text(response, getattr(asker, "client", None)))
            diff = [
                c
                for c in changes(baseline, after)
                if c.label != label_of(AuditEntry) and not attempt.harmless(c)
            ]
            if not diff:
                found.append(
                    f"changed nothing (answered {response.status_code}); expected a change"
                )
            found += [f"also changed {c}" for c in diff if not attempt.within(c)]
            problems += [f"{attempt.where}: {p}" for p in found]
        if asker.settle():
            baseline = snapshot()

    refused = [a for a in attempts if not a.allowed]
    with undone():
        for attempt in refused:
            response = answered(attempt)
            if response is not None:
                found = attempt.judge(response, text(response, getattr(asker, "client", None)))
                problems += [f"{attempt.where}: {p}" for p in found]
            if asker.settle():
                problems.append(f"{attempt.where}: ended the session")
        unchanged = all(any(a.harmless(c) for a in refused) for c in changes(baseline, snapshot()))
    if not unchanged:  # find the culprits one by one
        found = []
        for attempt in refused:
            with undone():
                response = answered(attempt)
                diff = [c for c in changes(baseline, snapshot()) if not attempt.harmless(c)]
            asker.settle()
            if diff and response is not None:
                found.append(
                    f"{attempt.where}: answered {response.status_code} and changed "
                    f"{', '.join(map(str, diff))}"
                )
        problems += found or ["the refused requests together changed the database"]
    return problems
