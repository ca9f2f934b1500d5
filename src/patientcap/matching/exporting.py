"""The SLA report as an Excel workbook: one row per bank (attainment, median working days,
overdue now), then one row per file with its clock."""

import datetime as dt
from typing import IO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from patientcap.domain.calendar import WorkingCalendar
from patientcap.domain.money import to_yuan
from patientcap.matching import selectors
from patientcap.matching.models import Application


def write_sla(
    out: IO[bytes], qs: "QuerySet[Application]", cal: WorkingCalendar, as_of: dt.date
) -> None:
    book = Workbook()
    ws = book.active
    ws.title = _("By bank")
    ws.append([_("Matched credit: SLA attainment by bank, as of %(date)s") % {"date": as_of}])
    ws.append(
        [
            _("Bank"),
            _("Files with the clock started"),
            _("Disbursed"),
            _("Disbursed within the deadline"),
            _("Attainment"),
            _("Median working days to disbursement"),
            _("Open"),
            _("Overdue now"),
        ]
    )
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in selectors.sla_by_bank(qs, cal, as_of):
        ws.append(
            [
                r.bank,
                r.files,
                r.disbursed,
                r.on_time,
                float(r.attainment) if r.attainment is not None else None,
                float(r.median_days) if r.median_days is not None else None,
                r.open,
                r.overdue_now,
            ]
        )
        ws.cell(ws.max_row, 5).number_format = "0.0%"
    files = book.create_sheet(_("Files"))
    files.append(
        [
            "#",
            _("Enterprise"),
            _("Bank"),
            _("Status"),
            _("Due diligence complete"),
            _("Deadline"),
            _("Working days paused"),
            _("Working days left"),
            _("Disbursed on"),
            _("Disbursed (yuan)"),
            _("Within the deadline"),
        ]
    )
    for cell in files[1]:
        cell.font = Font(bold=True)
    for app in selectors.with_pauses(qs.filter(dd_completed_on__isnull=False)).order_by("pk"):
        s = selectors.clock_state(app, cal, as_of)
        files.append(
            [
                app.pk,
                app.enterprise.name,
                app.bank.name,
                app.get_status_display(),
                app.dd_completed_on,
                s.deadline,
                s.paused_days,
                s.days_left,
                app.disbursed_on,
                to_yuan(app.disbursed_fen) if app.disbursed_fen else None,
                None if s.met is None else (_("yes") if s.met else _("no")),
            ]
        )
    book.save(out)
