"""Reading matched credit: each file's clock (deadline, working days left, overdue, paused), the
bank's queue, the SLA attainment by bank, and the figures other programmes read
(`matched_credit_fen`, re-exported from figures.py with the kpi figures).

Functions taking a queryset expect it already scoped through `accounts.scoping`.
"""

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from patientcap.domain.calendar import CalendarNotCovered, WorkingCalendar
from patientcap.domain.matching import Clock, Pause
from patientcap.matching import figures
from patientcap.matching.models import CLOCK_RUNNING, OPEN, Application, Status
from patientcap.matching.models import Pause as PauseRow


def clock(app: Application) -> Clock:
    """The file's clock (due diligence must be complete)."""
    assert app.dd_completed_on is not None and app.sla_days is not None
    pauses = tuple(Pause(p.started_on, p.ended_on) for p in pauses_of(app))
    return Clock(started=app.dd_completed_on, days=app.sla_days, pauses=pauses)


def pauses_of(app: Application) -> list[PauseRow]:
    cached = getattr(app, "_prefetched_objects_cache", {}).get("pauses")
    rows = list(cached) if cached is not None else list(app.pauses.all())
    return sorted(rows, key=lambda p: (p.started_on, p.pk))


@dataclass(frozen=True)
class ClockState:
    """A file's clock at a date. `error` (a calendar gap) replaces the figures when set."""

    started: dt.date | None = None
    deadline: dt.date | None = None
    days_left: int | None = None
    elapsed: int | None = None
    paused_days: int = 0
    paused: bool = False
    overdue: bool = False
    stopped_on: dt.date | None = None  # disbursed, rejected or referred: the clock stopped
    met: bool | None = None  # disbursed within the deadline
    error: CalendarNotCovered | None = None

    @property
    def running(self) -> bool:
        return self.started is not None and self.stopped_on is None


def clock_state(app: Application, cal: WorkingCalendar, as_of: dt.date) -> ClockState:
    if app.dd_completed_on is None:
        return ClockState()
    c = clock(app)
    stopped = app.disbursed_on or (
        app.decided_on if app.status in (Status.REJECTED, Status.REFERRED) else None
    )
    at = min(stopped, as_of) if stopped else as_of
    try:
        left = c.days_left(cal, at)
        return ClockState(
            started=c.started,
            deadline=c.deadline(cal, at),
            days_left=left,
            elapsed=c.elapsed(cal, at),
            paused_days=c.paused_days(cal, at),
            paused=c.is_paused,
            overdue=left < 0 and app.status in CLOCK_RUNNING,
            stopped_on=stopped,
            met=c.met_by(cal, app.disbursed_on) if app.disbursed_on else None,
        )
    except CalendarNotCovered as exc:
        return ClockState(started=c.started, paused=c.is_paused, stopped_on=stopped, error=exc)


def with_pauses(qs: "QuerySet[Application]") -> "QuerySet[Application]":
    return qs.select_related("enterprise", "bank", "package").prefetch_related("pauses")


@dataclass(frozen=True)
class QueueRow:
    app: Application
    clock: ClockState


def queue(qs: "QuerySet[Application]", cal: WorkingCalendar, as_of: dt.date) -> list[QueueRow]:
    """Open files, most urgent first: overdue, then fewest working days left; files waiting for
    due diligence last; a file whose deadline the calendar cannot count first of all (it needs
    an administrator)."""
    rows = [
        QueueRow(a, clock_state(a, cal, as_of)) for a in with_pauses(qs.filter(status__in=OPEN))
    ]

    def urgency(r: QueueRow) -> tuple:
        if r.clock.error is not None:
            return (0, 0, r.app.pk)
        if r.clock.days_left is None:
            return (2, 0, r.app.pk)
        return (1, r.clock.days_left, r.app.pk)

    return sorted(rows, key=urgency)


@dataclass(frozen=True)
class BankSla:
    bank_id: int
    bank: str
    files: int  # files whose clock started
    disbursed: int
    on_time: int
    overdue_now: int
    open: int
    median_days: Decimal | None  # working days from due diligence to disbursement
    calendar_gaps: int

    @property
    def attainment(self) -> Decimal | None:
        """Files disbursed within the deadline ÷ files that reached their deadline's test:
        disbursed, or still open and already overdue (they can no longer meet it)."""
        judged = self.disbursed + self.overdue_now
        return ratio(self.on_time, judged) if judged else None


def ratio(a: int, b: int, places: str = "0.0001") -> Decimal:
    return (Decimal(a) / Decimal(b)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def sla_by_bank(qs: "QuerySet[Application]", cal: WorkingCalendar, as_of: dt.date) -> list[BankSla]:
    """SLA attainment per bank over the files of `qs` (already scoped)."""
    per: dict[int, dict] = {}
    for app in with_pauses(qs.filter(dd_completed_on__isnull=False)).order_by("bank__name", "pk"):
        b = per.setdefault(
            app.bank_id,
            {
                "bank": app.bank.name,
                "files": 0,
                "disbursed": 0,
                "on_time": 0,
                "overdue": 0,
                "open": 0,
                "days": [],
                "gaps": 0,
            },
        )
        b["files"] += 1
        state = clock_state(app, cal, as_of)
        if state.error is not None:
            b["gaps"] += 1
            continue
        if app.disbursed_on:
            b["disbursed"] += 1
            b["on_time"] += bool(state.met)
            b["days"].append(state.elapsed)
        elif app.status in CLOCK_RUNNING:
            b["open"] += 1
            b["overdue"] += state.overdue
    return [
        BankSla(
            bank_id=pk,
            bank=b["bank"],
            files=b["files"],
            disbursed=b["disbursed"],
            on_time=b["on_time"],
            overdue_now=b["overdue"],
            open=b["open"],
            median_days=Decimal(str(statistics.median(b["days"]))) if b["days"] else None,
            calendar_gaps=b["gaps"],
        )
        for pk, b in per.items()
    ]


# The zone-wide figure the lending programme's leverage report reads (figures.py).
matched_credit_fen = figures.matched_credit_fen
